"""What a provider sees: owed, in a run, paid; its statements as PDF and CSV; nobody else's."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from .. import services
from ..models import RunKind
from .conftest import ledger_breaches

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_run(pay, django_capture_on_commit_callbacks):
    alpha = pay.provider("Fablab Alpha & Cie")
    beta = pay.provider("Médiathèque Beta", iban_index=1)
    pay.redeem(alpha, 3)
    pay.redeem(beta, 1)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(kind=RunKind.MONTHLY, month=pay.month, user=pay.staff)
    run.refresh_from_db()
    services.run_approve(run=run, user=pay.staff2)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_export(run=run, user=pay.staff)
    run.refresh_from_db()
    services.run_mark_paid(run=run, user=pay.staff)
    return run, alpha, beta


def test_a_provider_sees_what_is_owed_in_a_run_and_paid(pay, client, paid_run):
    run, alpha, _ = paid_run
    pay.redeem(alpha, 2)  # owed, for the next run
    client.force_login(alpha.admin)
    page = client.get(reverse("payouts:provider_statements", kwargs={"org_slug": alpha.slug})).content.decode()
    payout = run.payouts.get(provider=alpha)
    assert payout.reference in page and "Payé le" in page
    facts = page.split("Où en sont vos chèques")[1].split("Relevés")[0]
    assert "20 €" in facts and "(2 chèques)" in facts and "30 €" in facts


def test_the_provider_downloads_its_csv_and_pdf_statements(pay, client, paid_run):
    run, alpha, _ = paid_run
    payout = run.payouts.get(provider=alpha)
    client.force_login(alpha.admin)
    url = reverse("payouts:provider_statement", kwargs={"org_slug": alpha.slug, "pk": payout.pk, "fmt": "csv"})
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Numéro de chèque", "Date", "Lieu", "Service", "Montant (€)"]
    vouchers = rows[1:4]
    year = pay.order.valid_from.year
    assert [r[0] for r in vouchers] == [f"{year}-{pay.order.pk:05d}-{n:07d}" for n in (1, 2, 3)]
    assert all(r[2] == "Lieu de Fablab Alpha & Cie" and r[3] == "Atelier « découverte »" for r in vouchers)
    assert all(r[4] == "10,00" for r in vouchers) and ["Montant viré", "", "", "", "30,00"] in rows

    url = reverse("payouts:provider_statement", kwargs={"org_slug": alpha.slug, "pk": payout.pk, "fmt": "pdf"})
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert payout.reference in text and f"{year}-{pay.order.pk:05d}-0000001" in text and "Lieu de Fablab" in text
    bad = reverse("payouts:provider_statement", kwargs={"org_slug": alpha.slug, "pk": payout.pk, "fmt": "xls"})
    assert client.get(bad).status_code == 404
    assert ledger_breaches() == []


def test_one_provider_never_sees_another_s_statements(pay, client, paid_run):
    run, alpha, beta = paid_run
    theirs = run.payouts.get(provider=beta)
    client.force_login(alpha.admin)
    for fmt in ("pdf", "csv"):
        url = reverse("payouts:provider_statement", kwargs={"org_slug": alpha.slug, "pk": theirs.pk, "fmt": fmt})
        assert client.get(url).status_code == 404
        url = reverse("payouts:provider_statement", kwargs={"org_slug": beta.slug, "pk": theirs.pk, "fmt": fmt})
        assert client.get(url).status_code == 403
    page = client.get(reverse("payouts:provider_statements", kwargs={"org_slug": alpha.slug})).content.decode()
    assert theirs.reference not in page
    # Staff see every statement.
    client.force_login(pay.staff)
    url = reverse("payouts:staff_statement", kwargs={"pk": theirs.pk, "fmt": "csv"})
    assert client.get(url).status_code == 200


def test_a_paid_statement_keeps_the_names_it_was_issued_with(pay, client, paid_run):
    """Renaming the place, the service or the provider afterwards changes nothing (issue #12)."""
    from aptic.accounts.models import Organisation
    from aptic.places.models import Offer, Place

    run, alpha, _ = paid_run
    payout = run.payouts.get(provider=alpha)
    client.force_login(alpha.admin)
    urls = {
        fmt: reverse("payouts:provider_statement", kwargs={"org_slug": alpha.slug, "pk": payout.pk, "fmt": fmt})
        for fmt in ("csv", "pdf")
    }
    before = client.get(urls["csv"]).content
    Place.objects.filter(provider_id=alpha.pk).update(name="Nouveau nom du lieu")
    Offer.objects.filter(place__provider_id=alpha.pk).update(title="Nouveau service")
    Organisation.objects.filter(pk=alpha.pk).update(name="Nouvelle raison sociale")
    assert client.get(urls["csv"]).content == before
    rows = list(csv.reader(io.StringIO(before.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][2:4] == ["Lieu de Fablab Alpha & Cie", "Atelier « découverte »"]
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(client.get(urls["pdf"]).content)).pages)
    assert "Fablab Alpha & Cie" in pdf and "Lieu de Fablab" in pdf and "découverte" in pdf
    assert "Nouveau" not in pdf


def _unembedded_fonts(reader: PdfReader) -> set[str]:
    """pypdf's reading of every font on every page: those with no FontFile/FontFile2/FontFile3."""
    missing = set()
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for described in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = described.get("/FontDescriptor")
                if font.get("/Subtype") == "/Type0" and described is font:
                    continue  # a composite font: its descendant carries the file
                if descriptor is None or not any(
                    k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
                ):
                    missing.add(str(described.get("/BaseFont")))
    return missing


def test_the_pdf_statement_numbers_its_pages_states_its_period_and_embeds_its_fonts(
    pay, client, django_capture_on_commit_callbacks
):
    alpha = pay.provider("Fablab Alpha")
    older = pay.month.replace(day=1) - datetime.timedelta(days=20)  # a month the last run did not pay
    pay.redeem(alpha, 2, at=timezone.make_aware(datetime.datetime.combine(older, datetime.time(9))))
    pay.redeem(alpha, 70)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(kind=RunKind.MONTHLY, month=pay.month, user=pay.staff)
    payout = run.payouts.get(provider=alpha)
    client.force_login(alpha.admin)
    url = reverse("payouts:provider_statement", kwargs={"org_slug": alpha.slug, "pk": payout.pk, "fmt": "pdf"})
    reader = PdfReader(io.BytesIO(client.get(url).content))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 2
    assert all(f"Page {n} sur {len(pages)}" in text for n, text in enumerate(pages, start=1))
    last = pay.month.replace(day=15)
    assert f"utilisations du {older:%d/%m/%Y} au {last:%d/%m/%Y}" in pages[0]
    assert "règle aussi les utilisations des mois précédents" in " ".join(pages[0].split())
    assert _unembedded_fonts(reader) == set()
    names = {
        str(f.get_object()["/BaseFont"]).split("+")[-1] for p in reader.pages for f in p["/Resources"]["/Font"].values()
    }
    assert names == {"BitstreamVeraSans-Roman", "BitstreamVeraSans-Bold"}  # Vera (aptic.core.pdf), no Helvetica


def test_the_csv_and_xlsx_statements_state_their_period_as_the_pdf_does(
    pay, client, django_capture_on_commit_callbacks
):
    """Read back with the csv module (French Excel's dialect) and openpyxl: the header first, the
    vouchers, the totals, then the period covered and why it reaches an older month (ADR 0058)."""
    from openpyxl import load_workbook

    alpha = pay.provider("Fablab Alpha")
    older = pay.month.replace(day=1) - datetime.timedelta(days=20)
    pay.redeem(alpha, 1, at=timezone.make_aware(datetime.datetime.combine(older, datetime.time(9))))
    pay.redeem(alpha, 2)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(kind=RunKind.MONTHLY, month=pay.month, user=pay.staff)
    payout = run.payouts.get(provider=alpha)
    client.force_login(alpha.admin)

    def url(fmt):
        return reverse("payouts:provider_statement", kwargs={"org_slug": alpha.slug, "pk": payout.pk, "fmt": fmt})

    period = f"utilisations du {older:%d/%m/%Y} au {pay.month.replace(day=15):%d/%m/%Y}"
    why = "règle aussi les utilisations des mois précédents qui n'avaient pas encore été payées."
    rows = list(csv.reader(io.StringIO(client.get(url("csv")).content.decode("utf-8-sig")), delimiter=";"))
    book = load_workbook(io.BytesIO(client.get(url("xlsx")).content), read_only=True)
    (sheet,) = book.worksheets
    cells = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    for table in (rows, cells):
        assert table[0] == ["Numéro de chèque", "Date", "Lieu", "Service", "Montant (€)"]
        assert len([r for r in table[1:] if r and str(r[0]).startswith(f"{pay.order.valid_from.year}-")]) == 3
        labels = [r[0] for r in table if r]
        assert labels.index("Montant viré") < labels.index("Période couverte") < labels.index("Note")
        (covered,) = [r for r in table if r and r[0] == "Période couverte"]
        (note,) = [r for r in table if r and r[0] == "Note"]
        assert covered[1] == period and note[1].startswith("Le virement mensuel pour") and note[1].endswith(why)
    pdf = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(client.get(url("pdf")).content)).pages
    )
    assert f"Période couverte : {period}." in pdf  # the PDF says the same
