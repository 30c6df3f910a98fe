"""What a provider sees: owed, in a run, paid; its statements as PDF and CSV; nobody else's."""

import csv
import io

import pytest
from django.urls import reverse
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
    assert all(r[4] == "10,00" for r in vouchers) and rows[-1] == ["Montant viré", "", "", "", "30,00"]

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
