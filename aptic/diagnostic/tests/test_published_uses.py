"""Uses on the diagnostic (ADR 0060): the open data's cells of the last twelve published months,
added up, as a reuser of data.gouv.fr would add them; a blanked cell never comes back, and the
current month (not published yet) is not counted. The funder sees its own uses beside them."""

import csv
import datetime
import html
import io

import pytest
from django.urls import reverse

from aptic.core import formats
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.diagnostic.selectors import diagnostic, territory
from aptic.diagnostic.services import diagnostic_compute
from aptic.opendata.statistics import USES_BY_COMMUNE
from aptic.territories.models import Commune
from aptic.vouchers.models import Voucher
from aptic.vouchers.redemption import redemption_create
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (the counter's world, a fixture)

from .test_publics import place_with_workshop, storage, uses  # noqa: F401 (fixtures: each test's files; two months of uses)

pytestmark = pytest.mark.django_db
SECRET = "secret_statistique"


@pytest.fixture
def small(uses, counter):  # noqa: F811
    """Beside the fixture's uses: 4 vouchers in month B at a place of another Loire commune, a cell
    under the threshold; and 2 today, in a month not published yet."""
    provider, cashier, place, workshop, _ = counter
    commune = Commune.objects.filter(departement_id="42", is_current=True).exclude(insee_code="42218").first()
    there, offer = place_with_workshop(provider, workshop, commune, "Médiathèque")
    order = Voucher.objects.get(sequence=1, order__funder=uses["funder"]).order
    at = datetime.datetime.combine(uses["b"] + datetime.timedelta(days=12), datetime.time(11))
    for pair, when in (((64, 65), at), ((66, 67), at), ((39, 40), None)):
        codes = [Voucher.objects.get(order=order, sequence=s).code for s in pair]
        kwargs = {"at": when.astimezone()} if when else {}
        redemption_create(provider=provider, place=there, offer=offer, codes=codes, user=cashier, **kwargs)
    diagnostic_compute()
    return uses | {"commune": commune, "category": workshop.category}


def _file(client) -> list[dict]:
    response = client.get(reverse("opendata:statistics_csv", kwargs={"name": USES_BY_COMMUNE.name}))
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def _added_up(rows, communes: set[str], label: str) -> tuple[int, int]:
    """(published vouchers added up, blanked cells) of these communes and category, from the file."""
    shown = [r for r in rows if r["code_commune"] in communes and r["categorie_service"] == label]
    return (
        sum(int(r["cheques_utilises"]) for r in shown if r["statut_diffusion"] != SECRET),
        sum(r["statut_diffusion"] == SECRET for r in shown),
    )


def _line(level, code, category, funder_id=None):
    return next(
        line
        for line in diagnostic(territory(level, code), category, funder_id=funder_id).lines
        if line.category == category
    )


def test_the_uses_are_the_files_cells_added_up_and_a_blank_never_comes_back(client, small):
    rows = _file(client)
    category, commune = small["category"], small["commune"]
    cell = [r for r in rows if r["code_commune"] == commune.insee_code]
    assert [(r["cheques_utilises"], r["statut_diffusion"]) for r in cell] == [("", SECRET)]  # 4: blanked
    loire = set(Commune.objects.filter(departement_id="42").values_list("insee_code", flat=True))
    published, blanked = _added_up(rows, loire, category.label)
    assert (published, blanked) == (50, 1)  # Saint-Étienne's 25 and 25; the 4 left out

    line = _line("departement", "42", category)
    own, region, france = line.uses
    assert (own.count, own.partial) == (50, True)
    population = line.own.population
    assert own.rate == pytest.approx(50 * 1000 / population)
    everywhere = {r["code_commune"] for r in rows}
    assert (france.count, france.partial) == (_added_up(rows, everywhere, category.label)[0], True)
    # The commune whose only cell is blanked: nothing published, not 4, not 0.
    alone = _line("commune", commune.insee_code, category).uses[0]
    assert (alone.count, alone.rate) == (None, None)
    # Saint-Étienne: every cell published, and today's 2 uses (a month not published yet) left out.
    assert _line("commune", "42218", category).uses[0].count == 50

    page = html.unescape(client.get(reverse("diagnostic:departement", kwargs={"code": "42"})).content.decode())
    usages = page[page.index('id="usages"') :].split("</section>")[0]
    row = usages[usages.index(f'<th scope="row">{category.label}</th>') :].split("</tr>")[0]
    assert "au moins " in row
    # Twelve months ending with the file's last one (month B).
    first = (small["b"] - datetime.timedelta(days=334)).replace(day=1)
    assert f"de {formats.month(first)} à {formats.month(small['b'])}" in usages
    for hidden in ("54", "52"):  # 50 + the 4 blanked, or + today's 2: never on the page
        assert f">{hidden}<" not in row


def test_the_funder_sees_its_own_uses_over_the_same_months(client, small):
    funder = small["funder"]
    funder.commune_id = "42218"  # Saint-Étienne: its territory is the Loire
    funder.save(update_fields=["commune"])
    _file(client)
    category = small["category"]
    # Its own: the 50 at Saint-Étienne and the 4 of the other commune, not today's 2.
    assert _line("departement", "42", category, funder.pk).funder_uses == 54
    client.force_login(MembershipFactory(organisation=funder, role="member").user)
    page = html.unescape(client.get(reverse("diagnostic:funder", kwargs={"org_slug": funder.slug})).content.decode())
    usages = page[page.index('id="usages"') :].split("</section>")[0]
    row = usages[usages.index(f'<th scope="row">{category.label}</th>') :].split("</tr>")[0]
    assert '<td class="num">54</td>' in row
    assert (
        "Vos chèques utilisés"
        not in client.get(reverse("diagnostic:departement", kwargs={"code": "42"})).content.decode()
    )
    # Another funder's space is closed to this member.
    other = OrganisationFactory(kind="funder", commune_id="42218")
    assert client.get(reverse("diagnostic:funder", kwargs={"org_slug": other.slug})).status_code == 403


def test_before_anything_is_published_the_page_says_so(client, counter, funder):  # noqa: F811
    diagnostic_compute()
    page = html.unescape(client.get(reverse("diagnostic:departement", kwargs={"code": "42"})).content.decode())
    assert "Aucune utilisation n'est encore publiée en données ouvertes" in page


def test_the_pdf_report_gives_the_published_uses_and_publics_only(client, small):
    from .test_report import download, words

    _file(client)
    category = small["category"]
    content = words(download(client, reverse("diagnostic:departement", kwargs={"code": "42"})))
    line = _line("departement", "42", category)
    rate = formats.number(round(line.uses[0].rate, 2), decimals=2).replace("\u202f", " ")
    assert f"{category.label} au moins {rate}" in content  # the uses: the file's cells added up
    assert "Publics prioritaires" in content and "Jeune au moins 17" in content  # 13 + 4 in B; A's blanked 10 left out
    assert "Tous les publics au moins" in content
    epci = words(download(client, reverse("diagnostic:epci", kwargs={"code": small["loire"].epci_id})))
    assert "ne sont publiés que par département" in epci and "Tous les publics" not in epci


def test_a_stored_file_gone_gives_a_page_saying_nothing_is_published_not_a_500(client, small):
    from aptic.core.files import private_storage
    from aptic.opendata import publishing
    from aptic.opendata.statistics import USES_BY_PUBLIC

    _file(client)
    directory = publishing.latest_publication().directory
    for table in (USES_BY_COMMUNE, USES_BY_PUBLIC):
        private_storage.delete(f"{directory}/{publishing.csv_name(table.name)}")
    for path in ("diagnostic:departement", "diagnostic:region"):
        code = "42" if path.endswith("departement") else small["loire"].region_id
        response = client.get(reverse(path, kwargs={"code": code}))
        assert response.status_code == 200
        assert "Aucune utilisation n'est encore publiée en données ouvertes" in html.unescape(response.content.decode())
        assert client.get(reverse(path, kwargs={"code": code}), {"format": "pdf"}).status_code == 200


def test_a_small_rate_above_zero_never_reads_zero():
    from aptic.diagnostic.wording import rate

    assert rate(2916 * 1000 / 68_350_798) == "0,04"
    assert rate(31 * 1000 / 68_350_798) == "0,00045"  # not 0,00: two significant digits
    assert (rate(0), rate(None), rate(12.345)) == ("0,00", "—", "12,35")
