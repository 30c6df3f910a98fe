"""The distributor's and provider's dashboards as their users open them (ADR 0041): the figures on
the page, who may see them, bad input, and "Mes encaissements" as CSV and XLSX."""

import csv
import io
from decimal import Decimal
from html import unescape

import pytest
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from aptic.core import formats, tabular
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.distribution.models import Handout
from aptic.vouchers.models import Redemption
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (fixtures of the worlds below)

from .test_distributor import hands  # noqa: F401
from .test_provider import pay, run_jobs, two  # noqa: F401

pytestmark = pytest.mark.django_db


def dashboard(kind, organisation, **query):
    url = reverse(f"reporting:{kind}", kwargs={"org_slug": organisation.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def figure_text(html: str, label: str) -> str:
    """The value shown above a figure's label (the figure's <dd> comes before its <dt> visually,
    after it in the markup)."""
    html = unescape(html)
    start = html.index(f"<dt>{label}</dt>")
    value = html.index('class="figure-value">', start) + len('class="figure-value">')
    return html[value : html.index("</dd>", value)]


def test_the_distributor_reads_its_dashboard(client, hands):  # noqa: F811
    mfs = hands["mfs"]
    client.force_login(hands["bruno"])
    response = client.get(dashboard("distributor", mfs))
    assert response.status_code == 200
    html = response.content.decode()
    handed = Handout.objects.filter(organisation=mfs)
    assert figure_text(html, "Carnets remis") == str(handed.count()) == "3"
    assert figure_text(html, "Chèques remis") == str(handed.aggregate(n=Sum("shipped__booklet__size"))["n"])
    assert figure_text(html, "Carnets dormants") == "1"
    assert figure_text(html, "Taux d'utilisation") == "10,0\u202f%"  # one decimal, as every percentage
    assert "Alice Martin" in html and "Claire Roux" not in html
    menu = html[html.index("Menu de l'organisation") :]
    assert f'href="{dashboard("distributor", mfs)}"' in menu


def test_the_provider_reads_its_dashboard_with_its_structure(client, pay, two):  # noqa: F811
    alpha, beta = two
    client.force_login(alpha.admin)
    response = client.get(dashboard("provider", alpha))
    assert response.status_code == 200
    html = response.content.decode()
    standing = Redemption.objects.filter(provider=alpha, cancelled_at__isnull=True)
    assert figure_text(html, "Services payés avec des chèques") == str(standing.count()) == "5"
    assert figure_text(html, "Chèques acceptés") == str(standing.aggregate(n=Sum("voucher_count"))["n"])
    assert figure_text(html, "Dû, pas encore dans un virement") == formats.euros(6000)
    assert "labellisée #APTIC" in html and reverse("providers:dashboard", kwargs={"org_slug": alpha.slug}) in html
    assert beta.place.name not in html
    menu = text(response)
    assert "Ma structure" in menu and "Tableau de bord" in menu
    home = client.get(reverse("accounts:organisation", kwargs={"org_slug": alpha.slug}))
    assert home["Location"] == dashboard("provider", alpha)


def test_anonymous_and_other_kinds_are_refused(client, hands, pay, two):  # noqa: F811
    alpha, _ = two
    mfs = hands["mfs"]
    anonymous = client.get(dashboard("provider", alpha))
    assert anonymous.status_code == 302 and "/connexion/" in anonymous["Location"]
    assert client.get(dashboard("distributor", mfs)).status_code == 302
    client.force_login(alpha.admin)
    assert client.get(dashboard("distributor", mfs)).status_code == 403  # not a member
    assert client.get(dashboard("distributor", alpha)).status_code == 403  # a provider's space
    client.force_login(hands["alice"])
    assert client.get(dashboard("provider", mfs)).status_code == 403  # a distributor's space
    assert client.get(dashboard("distributor", hands["ccas"])).status_code == 403  # another distributor
    funder_member = MembershipFactory(organisation=pay.funder, role="admin").user
    client.force_login(funder_member)
    for kind in ("distributor", "provider"):
        assert client.get(dashboard(kind, pay.funder)).status_code == 403


@pytest.mark.parametrize(
    "query, message",
    [
        ({"periode": "semaine"}, "Cette période n'existe pas"),
        ({"periode": "dates", "du": "2026-12-31", "au": "2026-01-01"}, "La date de début doit précéder"),
        ({"periode": "dates", "du": "31/02/2026", "au": "2026-03-01"}, "n'est pas une date"),
        ({"periode": "dates", "du": "1066-10-14", "au": "2026-03-01"}, "La période doit être comprise"),
        ({"commune": "42218"}, "Ce filtre n'est pas proposé sur cette page."),
        ({"aiguilleur": "1"}, "Ce filtre n'est pas proposé sur cette page."),
        ({"categorie": "1"}, "Ce filtre n'est pas proposé sur cette page."),
        ({"periode": "x" * 10_000}, "trop longue"),
    ],
)
def test_bad_input_is_a_french_400(client, hands, pay, two, query, message):  # noqa: F811
    alpha, _ = two
    for user, kind, organisation in ((hands["alice"], "distributor", hands["mfs"]), (alpha.admin, "provider", alpha)):
        client.force_login(user)
        response = client.get(dashboard(kind, organisation, **query))
        assert response.status_code == 400
        html = unescape(response.content.decode())
        assert message in html and "Chiffres clés" not in html


def test_the_period_filter_narrows_the_page(client, pay, two):  # noqa: F811
    alpha, _ = two
    client.force_login(alpha.admin)
    start = pay.today.replace(day=1)
    html = client.get(dashboard("provider", alpha, periode="dates", du=start.isoformat(), au=pay.today)).content
    this_month = Redemption.objects.filter(provider=alpha, cancelled_at__isnull=True, created_at__date__gte=start)
    assert figure_text(html.decode(), "Services payés avec des chèques") == str(this_month.count()) == "2"


def export(client, organisation, fmt, **query):
    url = reverse("vouchers:redemptions_export", kwargs={"org_slug": organisation.slug, "fmt": fmt})
    response = client.get(url, query)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def page_totals(client, organisation, **query):
    response = client.get(reverse("vouchers:redemptions", kwargs={"org_slug": organisation.slug}), query)
    return response.context["totals"], text(response)


def test_mes_encaissements_as_csv_and_xlsx_hold_the_page_numbers(client, pay, two):  # noqa: F811
    alpha, beta = two
    client.force_login(alpha.admin)
    totals, page = page_totals(client, alpha)
    assert "Télécharger ces encaissements" in page

    response, body = export(client, alpha, "csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header, rows = rows[0], rows[1:]
    assert header[:5] == ["N° d'encaissement", "Date", "Lieu", "Service", "Chèques"]
    assert len(rows) == Redemption.objects.filter(provider=alpha).count() == 6
    standing = [row for row in rows if row[8] != "Annulé"]
    assert len(standing) == totals["count"] == 5
    assert sum(int(row[4]) for row in standing) == totals["vouchers"]
    assert sum(Decimal(row[6].replace(",", ".")) for row in standing) * 100 == totals["covered"]
    assert {row[2] for row in rows} == {alpha.place.name}

    response, body = export(client, alpha, "xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == header and len(values) == 7
    standing = [row for row in values[1:] if row[8] != "Annulé"]
    assert sum(row[4] for row in standing) == totals["vouchers"]
    assert sum(Decimal(str(row[6])) for row in standing) * 100 == totals["covered"]

    # Under the page's filters: the place (its only one) and a month.
    month = pay.month.strftime("%Y-%m")
    totals, _ = page_totals(client, alpha, mois=month)
    _, body = export(client, alpha, "csv", mois=month, lieu=alpha.place.pk)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))[1:]
    assert len(rows) == totals["count"] == 3


def test_mes_encaissements_export_refuses_bad_input_and_other_providers(client, pay, two):  # noqa: F811
    alpha, beta = two
    client.force_login(alpha.admin)
    assert export(client, alpha, "pdf")[0].status_code == 400
    assert export(client, alpha, "csv", lieu=beta.place.pk)[0].status_code == 400
    assert export(client, alpha, "csv", mois="2026-13")[0].status_code == 400
    assert "Requête incorrecte" in export(client, alpha, "json")[1].decode()
    assert export(client, beta, "csv")[0].status_code == 403
    stranger = OrganisationFactory(kind="distributor")
    client.force_login(MembershipFactory(organisation=stranger).user)
    assert export(client, stranger, "csv")[0].status_code == 403


def test_the_dashboards_as_files_hold_their_numbers(client, hands, pay, two):  # noqa: F811
    alpha, _ = two
    for user, kind, organisation, label, value in (
        (hands["alice"], "distributor", hands["mfs"], "Carnets remis", 3),
        (alpha.admin, "provider", alpha, "Services payés avec des chèques", 5),
    ):
        client.force_login(user)
        page = client.get(dashboard(kind, organisation, periode="annee")).content.decode()
        assert "format=xlsx" in page and "format=pdf" in page
        response = client.get(dashboard(kind, organisation, periode="annee", format="xlsx"))
        assert response.status_code == 200 and response["Content-Type"] == tabular.XLSX_CONTENT_TYPE
        book = load_workbook(io.BytesIO(response.content))
        figures = {row[0]: row[1] for row in book["Chiffres clés"].iter_rows(min_row=2, values_only=True)}
        assert figures[label] == value
        assert any("Cette année" in str(cell) for row in book["Filtres"].iter_rows(values_only=True) for cell in row)
        csv_text = client.get(dashboard(kind, organisation, format="csv")).content.decode("utf-8-sig")
        assert f"{label};{value};" in csv_text
        pdf = client.get(dashboard(kind, organisation, format="pdf"))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert client.get(dashboard(kind, organisation, format="docx")).status_code == 400
        assert client.get(dashboard(kind, organisation, format="csv", commune="42218")).status_code == 400
