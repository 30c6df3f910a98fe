"""Priority publics on the diagnostic pages (ADR 0057): read from the open data's by-public file and
nothing else. Checked against the published CSV as a reuser of data.gouv.fr reads it, with a public
under the threshold in one month: its count never comes back from the page."""

import csv
import datetime
import html
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone

from aptic.core import formats
from aptic.core.disclosure import MIN_PUBLISHED_VOUCHERS
from aptic.core.files import private_storage
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.distribution.shipments import booklet_hand_out, shipment_create
from aptic.opendata.statistics import USES_BY_PUBLIC
from aptic.places.models import Place
from aptic.printing.models import PrintRelease
from aptic.providers.dates import add_months
from aptic.territories.models import Commune
from aptic.vouchers.models import Voucher
from aptic.vouchers.redemption import redemption_create
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (the counter's world, a fixture)
from aptic.vouchers.tests.test_views_support import issue

pytestmark = pytest.mark.django_db

SECRET = "secret_statistique"


@pytest.fixture(autouse=True)
def storage(tmp_path, monkeypatch):
    """Each test's open-data generations in its own directory."""
    monkeypatch.setattr(private_storage, "_wrapped", FileSystemStorage(location=tmp_path / "private"))


def place_with_workshop(provider, workshop, commune, name):
    """A place of `provider` in `commune`, with a workshop like `workshop` (its category, 25 €)."""
    place = Place.objects.create(
        provider=provider, name=name, address="1 rue Test", commune=commune,
        latitude=commune.latitude, longitude=commune.longitude,
    )  # fmt: skip
    offer = workshop.__class__.objects.create(
        place=place, category=workshop.category, title="Atelier", price_cents=2500, duration_minutes=60,
        format="group",
    )  # fmt: skip
    return place, offer


def _months_ago(n: int) -> datetime.date:
    month = timezone.localdate().replace(day=1)
    for _ in range(n):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


@pytest.fixture
def uses(counter, funder, staff):  # noqa: F811 (counter: the imported fixture)
    """Two whole months long published (A, then B), booklets of 10 handed out: 1-4 to seniors, 5-7 to
    the young, 8-9 to job seekers. In the Loire (the fablab in Saint-Étienne): A 15 seniors and 10
    young (under the threshold: blanked), B 12 seniors and 13 young. In Gironde (a place in
    Bordeaux): A 11 seniors and 20 job seekers."""
    provider, cashier, place, workshop, _ = counter
    bordeaux = Commune.objects.get(insee_code="33063")
    antenna, antenna_workshop = place_with_workshop(provider, workshop, bordeaux, "Antenne de Bordeaux")
    a, b = _months_ago(3), _months_ago(2)
    distributor = OrganisationFactory(kind="distributor", name="Maison France Services")
    member = MembershipFactory(organisation=distributor, role="member").user
    order = issue(funder, quantity=90, valid_from=a - datetime.timedelta(days=30))
    PrintRelease.objects.create(order=order, reason="paid", released_by=staff)
    shipment_create(order=order, recipient=distributor, ranges=[(1, 9)], shipped_on=a, user=staff)
    for number in range(1, 10):
        public = "senior" if number <= 4 else "young" if number <= 7 else "job_seeker"
        booklet_hand_out(
            organisation=distributor, order_id=order.pk, number=number, category=public, user=member, day=a
        )

    def spend(first, last, month, where):
        at = timezone.make_aware(datetime.datetime.combine(month + datetime.timedelta(days=9), datetime.time(11)))
        for start in range(first, last + 1, 2):  # two vouchers for each 25 € workshop
            sequences = range(start, min(start + 2, last + 1))
            codes = [Voucher.objects.get(order=order, sequence=s).code for s in sequences]
            redemption_create(provider=provider, place=where[0], offer=where[1], codes=codes, user=cashier, at=at)

    loire, gironde = (place, workshop), (antenna, antenna_workshop)
    spend(1, 15, a, loire)  # 15 seniors
    spend(41, 50, a, loire)  # 10 young: under the threshold
    spend(16, 27, b, loire)  # 12 seniors
    spend(51, 63, b, loire)  # 13 young
    spend(28, 38, a, gironde)  # 11 seniors
    spend(71, 90, a, gironde)  # 20 job seekers
    return {"a": a, "b": b, "loire": place.commune, "funder": funder}


def _published(client) -> list[dict]:
    """The by-public file, downloaded and read as data.gouv.fr's users read it."""
    response = client.get(reverse("opendata:statistics_csv", kwargs={"name": USES_BY_PUBLIC.name}))
    assert response.status_code == 200
    data = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(data)))


class _Tables(HTMLParser):
    """Every table of a page: its caption and its rows, each a list of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._row = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th", "caption"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption":
            self.tables[-1]["caption"] = "".join(self._cell)
            self._cell = None
        elif tag == "tr":
            self.tables[-1]["rows"].append(self._row)

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _publics_table(page: str) -> dict[str, list[str]]:
    parser = _Tables()
    parser.feed(page)
    table = next(t for t in parser.tables if t["caption"].startswith("Chèques utilisés par public"))
    return {row[0]: row[1:] for row in table["rows"][1:]}  # public (or the total) → its cells


def _expected(rows: list[dict], departements: set[str]) -> dict[str, tuple[int, int, int]]:
    """Public → (published vouchers added up, cells, blanked cells), computed here from the file."""
    found = {}
    for row in rows:
        if row["code_departement"] in departements:
            vouchers, cells, secret = found.get(row["public"], (0, 0, 0))
            shown = row["statut_diffusion"] != SECRET
            found[row["public"]] = (
                vouchers + (int(row["cheques_utilises"]) if shown else 0),
                cells + 1,
                secret + (not shown),
            )
    return found


def _number(label: str) -> int:
    """ "au moins 1 234" → 1234; "secret statistique" → 0."""
    digits = re.sub(r"\D", "", label)
    return int(digits) if digits else 0


def _voucher_label(vouchers: int, secret: int) -> str:
    if secret and not vouchers:
        return "secret statistique"
    return f"au moins {vouchers}" if secret else str(vouchers)


def _check_against_the_file(page: str, rows: list[dict], departements: set[str]) -> dict[str, list[str]]:
    table = _publics_table(page)
    local, france = _expected(rows, departements), _expected(rows, {r["code_departement"] for r in rows})
    local_total, france_total = (sum(v for v, _, _ in figures.values()) for figures in (local, france))
    assert set(table) == set(local) | {"Tous les publics"}
    for public, (vouchers, cells, secret) in local.items():
        shown = table[public]
        assert shown[0] == _voucher_label(vouchers, secret), public
        assert shown[1] == f"{secret} sur {cells}", public
        share, france_share = Decimal(vouchers) / local_total, Decimal(france[public][0]) / france_total
        # A public blanked in every month has no share: unknown, not 0.
        assert shown[3] == (formats.percent(share).replace("\u202f", " ") if vouchers else "secret statistique")
        assert shown[4] == (
            formats.percent(france_share).replace("\u202f", " ") if france_share else "secret statistique"
        )
        if vouchers and france_share:
            index = round(share * 100 / france_share)
            assert shown[5].startswith(str(index)), public
            assert ("priorité" in shown[5]) == (index > 100 and public in ("Senior", "Jeune", "Demandeur d'emploi"))
    # The page's total is the sum of the published cells: nothing more to subtract from.
    assert _number(table["Tous les publics"][0]) - local_total == 0
    assert sum(_number(cells[0]) for public, cells in table.items() if public != "Tous les publics") == local_total
    return table


def test_the_departement_page_gives_the_published_cells_and_never_a_blank(client, uses):
    rows = _published(client)
    a, b = f"{uses['a']:%Y-%m}", f"{uses['b']:%Y-%m}"
    cell = {(r["mois"], r["code_departement"], r["public"]): r for r in rows}
    # The case: 10 young in the Loire in month A, under the threshold, blanked in the file.
    assert cell[(a, "42", "Jeune")]["statut_diffusion"] == SECRET and cell[(a, "42", "Jeune")]["cheques_utilises"] == ""
    assert cell[(b, "42", "Jeune")]["cheques_utilises"] == "13"

    page = html.unescape(client.get(reverse("diagnostic:departement", kwargs={"code": "42"})).content.decode())
    table = _check_against_the_file(page, rows, {"42"})
    assert table["Senior"][:2] == ["27", "0 sur 2"]
    assert table["Jeune"][:2] == ["au moins 13", "1 sur 2"]
    assert table["Demandeur d'emploi"][:2] == ["secret statistique", "2 sur 2"]
    # The blanked 10 never comes back: neither as the young's count nor in the total (50 really).
    assert table["Tous les publics"][0] == "au moins 40"
    assert all(_number(cells[0]) not in (10, 23, 50) for cells in table.values())
    # Shares of the published cells: seniors 27/40 against 38/71 in France, the young 13/40 against 13/71.
    assert table["Senior"][5] == "126 (priorité)" and table["Jeune"][5] == "178 (priorité)"
    assert "publics plus représentés qu'en France : Jeune et Senior." in page
    assert "certains mois étant sous secret statistique" in page
    # The twelve months ending with the file's last (month B), as the uses' section (ADR 0060).
    assert f"de {formats.month(add_months(uses['b'], -11))} à {formats.month(uses['b'])}" in page
    assert reverse("opendata:statistics_csv", kwargs={"name": USES_BY_PUBLIC.name}) in page

    gironde = html.unescape(client.get(reverse("diagnostic:departement", kwargs={"code": "33"})).content.decode())
    table = _check_against_the_file(gironde, rows, {"33"})
    assert table["Demandeur d'emploi"][5] == "229 (priorité)"  # 20/31 against 20/71
    assert "publics plus représentés qu'en France : Demandeur d'emploi." in gironde


def test_a_region_adds_up_its_departements_published_cells(client, uses):
    rows = _published(client)
    loire_region = uses["loire"].region_id
    departements = set(Commune.objects.filter(region_id=loire_region).values_list("departement_id", flat=True))
    page = client.get(reverse("diagnostic:region", kwargs={"code": loire_region})).content.decode()
    table = _check_against_the_file(page, rows, departements)
    # Every département of the région is in the file once it has uses: only the Loire here.
    assert table["Jeune"][:2] == ["au moins 13", "1 sur 2"]


def test_an_epci_and_a_commune_say_the_publics_are_not_published_there(client, uses):
    _published(client)
    commune = uses["loire"]
    for url in (
        reverse("diagnostic:epci", kwargs={"code": commune.epci_id}),
        reverse("diagnostic:commune", kwargs={"code": commune.insee_code}),
    ):
        page = html.unescape(client.get(url).content.decode())
        assert "ne sont publiés que par département" in page, url
        assert "Chèques utilisés par public" not in page, url
        assert reverse("diagnostic:departement", kwargs={"code": "42"}) in page, url
        assert "au moins" not in page and "Tous les publics" not in page, url


def test_the_funder_sees_the_same_publics_on_its_diagnostic(client, uses):
    rows = _published(client)
    funder = uses["funder"]
    funder.commune_id = "42218"  # Saint-Étienne: its territory is the Loire
    funder.save(update_fields=["commune"])
    client.force_login(MembershipFactory(organisation=funder, role="admin").user)
    response = client.get(reverse("diagnostic:funder", kwargs={"org_slug": funder.slug}))
    assert response.status_code == 200
    table = _check_against_the_file(response.content.decode(), rows, {"42"})
    assert table["Tous les publics"][0] == "au moins 40"


def test_before_any_use_the_page_says_nothing_is_published(client, db):
    page = html.unescape(client.get(reverse("diagnostic:departement", kwargs={"code": "42"})).content.decode())
    assert "Aucune utilisation de chèque n'est encore publiée pour ce territoire" in page
    assert "Chèques utilisés par public" not in page
    assert MIN_PUBLISHED_VOUCHERS == 11  # the method's text says it
    assert "sous 11 chèques" in page
