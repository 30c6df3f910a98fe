"""The open statistics (ADR 0051): the files and their data package validate with frictionless, small
counts are blanked and none can be recovered from what is published, the page lists every dataset,
the nightly job writes a new generation, and bad input gets a French 404."""

import datetime
import json
import random
from decimal import Decimal

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone
from frictionless import Resource, Schema, validate

from aptic.core.disclosure import MIN_PUBLISHED_VOUCHERS, suppressed
from aptic.core.files import private_storage
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.distribution.shipments import booklet_hand_out, shipment_create
from aptic.jobs.models import Job, JobStatus
from aptic.jobs.schedule import schedule_tick
from aptic.opendata import catalog, publishing, statistics
from aptic.opendata.jobs_handlers import PUBLISH_JOB
from aptic.opendata.models import Publication
from aptic.places.models import Offer, ReferencePlace
from aptic.printing.models import PrintRelease
from aptic.vocabulary.models import ServiceCategory
from aptic.vouchers.models import Voucher
from aptic.vouchers.redemption import redemption_create
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (the counter's world, a fixture)
from aptic.vouchers.tests.test_views_support import issue

from . import attack
from .helpers import frictionless_errors

pytestmark = pytest.mark.django_db

BY_COMMUNE, BY_PUBLIC, PLACES = (t.name for t in statistics.TABLES.values())


@pytest.fixture(autouse=True)
def storage(tmp_path, monkeypatch):
    """Each test's generations in its own directory."""
    monkeypatch.setattr(private_storage, "_wrapped", FileSystemStorage(location=tmp_path / "private"))
    return tmp_path / "private"


def _month_before(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def uses(vocabulary, counter, funder, staff):  # noqa: F811 (counter: the imported fixture)
    """In the last two whole months, at one fablab: October (M-1) 11 vouchers for the 10 € help
    (10 handed out to a young person, 1 shipped only); November (M) 12 vouchers for the 10 € help and
    3 for a 10 € course of another category, all handed out to seniors. So in November the communes'
    table has 12 and 3 and the publics' table 15: blanking the 3 alone would give it back (15 - 12)."""
    provider, cashier, place, _, short = counter
    other = Offer.objects.create(
        place=place,
        category=ServiceCategory.objects.get(standard_value="Loisirs et créations numériques"),
        title="Initiation photo",
        price_cents=1000,
        duration_minutes=60,
        format="group",
    )
    last = _month_before(timezone.localdate())
    before = _month_before(last)
    distributor = OrganisationFactory(kind="distributor", name="Maison France Services")
    member = MembershipFactory(organisation=distributor, role="member").user
    order = issue(funder, quantity=40, valid_from=before - datetime.timedelta(days=30))
    PrintRelease.objects.create(order=order, reason="paid", released_by=staff)
    shipment_create(order=order, recipient=distributor, ranges=[(1, 4)], shipped_on=before, user=staff)
    for number, category in ((1, "senior"), (2, "senior"), (3, "young")):
        booklet_hand_out(
            organisation=distributor, order_id=order.pk, number=number, category=category, user=member, day=before
        )

    def spend(sequence, offer, month):
        code = Voucher.objects.get(order=order, sequence=sequence).code
        at = timezone.make_aware(datetime.datetime.combine(month + datetime.timedelta(days=9), datetime.time(11)))
        redemption_create(provider=provider, place=place, offer=offer, codes=[code], user=cashier, at=at)

    for sequence in range(21, 32):  # booklet 3 (young) and the first of booklet 4 (not handed out)
        spend(sequence, short, before)
    for sequence in range(1, 13):
        spend(sequence, short, last)
    for sequence in range(13, 16):
        spend(sequence, other, last)
    ReferencePlace.objects.create(
        source="cartographie-nationale",
        source_id="ref-1",
        name="Médiathèque municipale",
        commune=place.commune,
        latitude=place.latitude,
        longitude=place.longitude,
    ).service_categories.set([short.category])
    return {"place": place, "short": short, "other": other, "last": last, "before": before}


def _get(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def _files(client, directory) -> dict:
    """Every published file, saved side by side as the data package's relative paths expect."""
    files = {"datapackage.json": _get(client, reverse("opendata:statistics_datapackage"))}
    for name in statistics.TABLES:
        files[f"{name}.csv"] = _get(client, reverse("opendata:statistics_csv", kwargs={"name": name}))
        files[f"{name}.schema.json"] = _get(client, reverse("opendata:statistics_schema", kwargs={"name": name}))
    directory.mkdir()
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return files


def _validate_package(directory, monkeypatch):
    """From the package's own file, as a reuser reads it: frictionless takes relative paths only."""
    monkeypatch.chdir(directory)
    return validate("datapackage.json")


def test_every_file_validates_against_its_schema_and_the_data_package(client, uses, tmp_path, monkeypatch):
    files = _files(client, tmp_path / "published")

    for name in statistics.TABLES:
        schema = Schema.from_descriptor(json.loads(files[f"{name}.schema.json"]))
        report = validate(Resource(data=files[f"{name}.csv"], format="csv", schema=schema))
        assert report.valid, frictionless_errors(report)
    # The whole package, from its own file: relative paths, schemas, byte counts and hashes.
    report = _validate_package(tmp_path / "published", monkeypatch)
    assert report.valid, frictionless_errors(report)
    # And it can fail: a file changed after the package was written no longer matches its hash.
    (tmp_path / "published" / f"{PLACES}.csv").write_bytes(files[f"{PLACES}.csv"].replace(b",1,", b",7,"))
    report = _validate_package(tmp_path / "published", monkeypatch)
    assert "hash-count" in {kind for (kind,) in report.flatten(["type"])}
    package = json.loads(files["datapackage.json"])
    assert package["licenses"][0]["name"] == "etalab-2.0"
    assert {r["name"] for r in package["resources"]} == set(statistics.TABLES)
    # data.gouv.fr's conventions: UTF-8 without BOM, comma, snake_case header, ISO months, "." decimals.
    for name in statistics.TABLES:
        text = files[f"{name}.csv"].decode("utf-8")
        assert not text.startswith("\ufeff")
        assert text.splitlines()[0] == ",".join(statistics.TABLES[name].columns)


def test_the_schema_refuses_a_published_small_count(client, uses):
    """The validator can fail: a count under the threshold, published, breaks the schema."""
    schema = Schema.from_descriptor(statistics.USES_BY_PUBLIC.schema())
    data = (
        ",".join(statistics.USES_BY_PUBLIC.columns)
        + f"\r\n2026-10,42,Loire,Jeune,{MIN_PUBLISHED_VOUCHERS - 1},100.00,10,diffuse\r\n"
    )
    report = validate(Resource(data=data.encode(), format="csv", schema=schema))
    assert not report.valid
    assert [kind for (kind,) in report.flatten(["type"])] == ["constraint-error"]


def test_the_figures_small_counts_blanked_with_their_second_cell(client, uses, tmp_path):
    files = _files(client, tmp_path / "published")
    last, before = f"{uses['last']:%Y-%m}", f"{uses['before']:%Y-%m}"
    commune = uses["place"].commune
    by_commune = {(r["mois"], r["categorie_service"]): r for r in attack.rows(files[f"{BY_COMMUNE}.csv"])}
    by_public = {(r["mois"], r["public"]): r for r in attack.rows(files[f"{BY_PUBLIC}.csv"])}
    short, other = uses["short"].category.label, uses["other"].category.label

    published = by_commune[(before, short)]
    assert published["code_commune"] == commune.insee_code and published["nom_commune"] == commune.name
    assert published["code_departement"] == commune.departement_id
    assert published["typologie_lieu"] == uses["place"].typologies.get().label
    assert (published["cheques_utilises"], published["valeur_euros"], published["services"]) == ("11", "110.00", "11")
    assert published["statut_diffusion"] == "diffuse"
    # November: the 3 are under the threshold and blanked; the 12 is published, the group holding
    # other blanks already (every public is listed, its zeros blanked like any small count).
    blanked = [
        key for key in ((last, other), (last, short)) if by_commune[key]["statut_diffusion"] == "secret_statistique"
    ]
    assert (
        len(blanked) == 1 and by_commune[blanked[0]]["cheques_utilises"] == by_commune[blanked[0]]["valeur_euros"] == ""
    )
    assert {by_commune[(last, other)]["cheques_utilises"], by_commune[(last, short)]["cheques_utilises"]} == {"", "12"}
    assert by_public[(last, "Senior")]["cheques_utilises"] == "15"
    # Every public in each month, so that a blank never tells which public used the vouchers.
    labels = {label for _, label in statistics.BeneficiaryCategory.choices} | {statistics.NO_HANDOUT}
    for month in (before, last):
        assert {public for m, public in by_public if m == month} == labels
    # October: 10 to a young person, 1 not handed out: both blanked.
    assert by_public[(before, "Jeune")]["statut_diffusion"] == "secret_statistique"
    assert by_public[(before, statistics.NO_HANDOUT)]["statut_diffusion"] == "secret_statistique"
    assert len(by_commune) == 3 and len(by_public) == 2 * len(labels)
    # Places: the fablab (#APTIC) and the médiathèque (reference) offer the help's category.
    places = {r["categorie_service"]: r for r in attack.rows(files[f"{PLACES}.csv"])}
    assert (places[short]["lieux_aptic"], places[short]["lieux_reference"], places[short]["lieux_total"]) == (
        "1",
        "1",
        "2",
    )


def test_no_blanked_count_can_be_recovered(client, uses, tmp_path):
    files = _files(client, tmp_path / "published")
    by_commune, by_public = attack.rows(files[f"{BY_COMMUNE}.csv"]), attack.rows(files[f"{BY_PUBLIC}.csv"])
    publics = len(statistics.BeneficiaryCategory.values) + 1
    # Every October public (10 young, 1 not handed out, none else); every November public but the
    # seniors' 15; November's 3 at the commune.
    assert (
        sum(r["statut_diffusion"] == "secret_statistique" for r in by_commune + by_public) == publics + publics - 1 + 1
    )

    assert attack.by_differencing(by_commune, by_public) == {}
    assert attack.by_algebra(by_commune, by_public) == set()


def test_the_attack_recovers_a_count_blanked_alone(client, uses, tmp_path):
    """The attack works: were November's publics without uses left out (or shown as 0), its 3 would
    come back, both ways."""
    files = _files(client, tmp_path / "published")
    by_commune, by_public = attack.rows(files[f"{BY_COMMUNE}.csv"]), attack.rows(files[f"{BY_PUBLIC}.csv"])
    last = f"{uses['last']:%Y-%m}"
    by_public = [row for row in by_public if row["mois"] != last or row["statut_diffusion"] == "diffuse"]
    three = next(i for i, r in enumerate(by_commune) if r["cheques_utilises"] == "")
    recovered = attack.by_differencing(by_commune, by_public)
    assert recovered[("cheques_utilises", three)] == 3 and recovered[("valeur_euros", three)] == Decimal("30.00")
    assert ("cheques_utilises", three) in attack.by_algebra(by_commune, by_public)


@pytest.mark.parametrize("seed", range(30))
def test_the_rule_leaves_no_group_with_a_single_blank(seed):
    """Random tables of two cuts of the same counts: the attack recovers nothing; with the small
    counts blanked alone, it recovers every one that is the only blank of its group."""
    draw = random.Random(seed)
    counts, groups = {}, []
    for group in range(draw.randint(1, 6)):
        cells = [(group, side, n) for side in "ab" for n in range(draw.randint(1, 4))]
        values = {cell: draw.choice([1, 2, 5, 9, 10, 11, 12, 20, 40]) for cell in cells if cell[1] == "a"}
        total, b_cells = sum(values.values()), [c for c in cells if c[1] == "b"]
        cuts = sorted(draw.sample(range(1, total), min(len(b_cells) - 1, total - 1))) if total > 1 else []
        parts = [hi - lo for lo, hi in zip([0, *cuts], [*cuts, total], strict=True)]
        values |= dict(zip(b_cells, parts, strict=False))
        counts |= values
        groups.append(list(values))
    primary = {cell for cell, n in counts.items() if n < MIN_PUBLISHED_VOUCHERS}
    blank = suppressed(counts, groups)
    assert primary <= blank
    assert attack.by_algebra(*_tables(counts, blank)) == set()
    assert attack.by_differencing(*_tables(counts, blank)) == {}

    alone = {cell for group in groups for cell in group if [c for c in group if c in primary] == [cell]}
    cells = [cell for cell in counts if cell[1] == "a"] + [cell for cell in counts if cell[1] == "b"]
    found = {cells[i] for measure, i in attack.by_algebra(*_tables(counts, primary)) if measure == "services"}
    assert found == alone


def _tables(counts, blank) -> tuple[list, list]:
    """The cells as the two files' rows: "a" cells in the communes' table, "b" in the publics'."""
    by_commune = [_row(cell, counts, blank) for cell in counts if cell[1] == "a"]
    by_public = [_row(cell, counts, blank) for cell in counts if cell[1] == "b"]
    return by_commune, by_public


def _row(cell, counts, blank) -> dict:
    value = "" if cell in blank else str(counts[cell])
    return {"mois": "2026-01", "code_departement": str(cell[0]), **dict.fromkeys(attack.MEASURES, value)}


def test_overlapping_groups_are_refused():
    with pytest.raises(ValueError):
        suppressed({"a": 3, "b": 20}, [["a", "b"], ["a"]])


def test_the_landing_page_lists_every_dataset(client, uses):
    response = client.get(reverse("opendata:index"))
    assert response.status_code == 200
    page = response.content.decode()
    publication = Publication.objects.get()
    assert "<main" in page and "<h1>Données ouvertes</h1>" in page
    assert "Licence Ouverte / Open Licence version 2.0" in page
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in page
    assert timezone.localtime(publication.generated_at).strftime("%d/%m/%Y") in page
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre"]
    months += ["novembre", "décembre"]
    assert f"jusqu'à fin {months[uses['last'].month - 1]} {uses['last'].year}" in page
    for entry in catalog.CATALOG:
        assert entry.title in page and entry.frequency in page and entry.schema_url() in page
        for link in entry.files:  # every link of the page answers
            assert link.url() in page
            assert client.get(link.url()).status_code == 200
    assert reverse("opendata:places_csv") in page and reverse("opendata:places_json") in page
    assert reverse("opendata:index") in page  # the footer's link


def test_unknown_dataset_is_a_french_404(client, db):
    for url in (
        reverse("opendata:statistics_csv", kwargs={"name": "inconnu"}),
        reverse("opendata:statistics_schema", kwargs={"name": "inconnu"}),
        reverse("opendata:statistics_xlsx", kwargs={"name": "inconnu"}),
        "/opendata/statistiques/utilisations-communes.ods",
        "/opendata/statistiques/%2e%2e%2fdatapackage.csv",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "introuvable" in response.content.decode(), url
    assert (
        "Aucun jeu de données ne s'appelle « inconnu »"
        in client.get(reverse("opendata:statistics_csv", kwargs={"name": "inconnu"})).content.decode()
    )
    assert client.post(reverse("opendata:statistics_csv", kwargs={"name": BY_COMMUNE})).status_code == 405


def test_generated_on_first_request_then_each_night(client, uses, django_capture_on_commit_callbacks):
    assert not Publication.objects.exists()
    client.get(reverse("opendata:statistics_csv", kwargs={"name": PLACES}))
    first = Publication.objects.get()

    night = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time(3, 30)))
    with django_capture_on_commit_callbacks(execute=True):
        schedule_tick(now=night)
    assert Job.objects.get(kind=PUBLISH_JOB).status == JobStatus.DONE
    assert Publication.objects.count() == 2
    latest = Publication.objects.first()
    assert latest.pk != first.pk
    served = json.loads(_get(client, reverse("opendata:statistics_datapackage")))  # the latest is served
    assert served["created"] == latest.generated_at.isoformat(timespec="seconds")

    publishing.statistics_publish()  # a third: the first one and its files go
    assert Publication.objects.count() == publishing.KEEP
    assert not Publication.objects.filter(pk=first.pk).exists()
    assert not private_storage.exists(f"{first.directory}/{PLACES}.csv")


def test_no_use_yet_gives_empty_but_valid_files(client, db, tmp_path, monkeypatch):
    files = _files(client, tmp_path / "published")
    report = _validate_package(tmp_path / "published", monkeypatch)
    assert report.valid, frictionless_errors(report)
    assert files[f"{BY_COMMUNE}.csv"].decode().count("\n") == 1
    assert Publication.objects.get().months_until is None


def test_a_month_is_published_once_its_last_uses_can_no_longer_be_cancelled(uses):
    """A use stays cancellable 24 hours and its cancellation counts on its day: the month ended is
    left out on the 1st and 2nd of the next one, so a published month never changes."""
    following = statistics._next_month(uses["last"])
    assert uses["last"] not in statistics.published_months(following + datetime.timedelta(days=1))
    assert uses["last"] in statistics.published_months(following + datetime.timedelta(days=2))
