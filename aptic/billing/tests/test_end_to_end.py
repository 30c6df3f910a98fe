"""A funder's commercial journey through the pages: public quote request → staff quote → acceptance
with a signed PDF → validation (account and order) → Factur-X invoice → payment (fund, printing) →
expiry → credit note → deducted from the next invoice."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aptic.accounts.models import Organisation
from aptic.billing.models import CreditNote, FundMovement, Invoice, Quote, QuoteRequest
from aptic.core.tests.factories import CommuneFactory
from aptic.ledger.invariants import checks

from .conftest import SIRET
from .helpers import facturx, pdf_bytes, pdf_text, xpath

PASSWORD = "un-mot-de-passe-solide"
TOTALS = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation/"  # noqa: E501


def books_hold():
    for check in checks():
        assert check() == [], check.__name__


def link_in(message, pattern):
    return re.search(r"https?://[^/\s]+(" + pattern + r"[^\s]*)", message.body).group(1)


def request_quote(client, offers, meta=None, **extra):
    data = {
        "organisation_name": "Commune de Saint-Étienne",
        "siret": "214 202 186 00018",
        "legal_category": "commune",
        "address": "Place de l'Hôtel de Ville",
        "commune": "42218",
        "contact_name": "Dominique Maire",
        "email": "d.maire@saint-etienne.example",
        "objectives": "Accompagner les seniors vers les démarches en ligne.",
        "quantity": "2 000",
        "wished_offer": offers["plus"].pk,
        "website": "",
    }
    data.update(extra)
    return client.post(reverse("billing:quote_request"), data, **(meta or {}))


def staff_quotes_and_sends(staff_client, capture, offers):
    quote_request = QuoteRequest.objects.latest("pk")
    response = staff_client.get(reverse("billing:staff_requests"))
    assert "Commune de Saint-Étienne" in response.content.decode()
    response = staff_client.post(reverse("billing:staff_request", kwargs={"pk": quote_request.pk}), {"action": "quote"})
    quote = Quote.objects.latest("pk")
    assert response.url == reverse("billing:staff_quote", kwargs={"pk": quote.pk})
    form = {
        "offer": offers["plus"].pk,
        "quantity": "2000",
        "booklet_size": "5",
        "face_value": "10",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "activation": "on_distribution",
        "network_delivery": "350",
        "rule_departements": ["42"],
        "action": "send",
    }
    with capture(execute=True):
        response = staff_client.post(reverse("billing:staff_quote", kwargs={"pk": quote.pk}), form)
    assert response.status_code == 302, response.content.decode()
    quote.refresh_from_db()
    assert quote.status == "sent" and quote.total_cents == 2_138_000
    return quote, link_in(mail.outbox[-1], "/devis/accepter/")


def funder_accepts(link):
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and "21\u202f380 €" in page.content.decode()
    assert visitor.get(link + "devis.pdf")["Content-Type"] == "application/pdf"
    signed = SimpleUploadedFile("devis-signé.pdf", pdf_bytes("Bon pour accord"), content_type="application/pdf")
    response = visitor.post(link, {"kind": "signed_quote", "signer_name": "Dominique Maire, maire", "document": signed})
    assert response.status_code == 302
    assert "Merci : votre acceptation" in visitor.get(link).content.decode()


@pytest.mark.django_db
def test_quote_request_to_credit_note_through_the_pages(
    client, staff, offers, django_capture_on_commit_callbacks, monkeypatch
):
    capture = django_capture_on_commit_callbacks
    CommuneFactory()
    staff_client = Client()
    staff_client.force_login(staff)

    # 1. The public request.
    response = request_quote(client, offers)
    assert response.url == reverse("billing:quote_request_done")
    assert "d.maire@saint-etienne.example" in client.get(response.url).content.decode()

    # 2. Staff prepare and send the quote; 3. the funder accepts it with the signed PDF.
    quote, link = staff_quotes_and_sends(staff_client, capture, offers)
    funder_accepts(link)

    # Staff validate: organisation, administrator invited, order issued with its rules.
    staff_client.get(reverse("billing:staff_quote_acceptance_file", kwargs={"pk": quote.pk}))
    with capture(execute=True):
        response = staff_client.post(reverse("billing:staff_quote", kwargs={"pk": quote.pk}), {"action": "validate"})
    quote.refresh_from_db()
    order = quote.order
    funder = Organisation.objects.get(kind="funder", siret=SIRET)
    assert order.funder == funder and order.issued_at and order.booklet_size == 5
    assert list(order.rule_departements.values_list("code", flat=True)) == ["42"]
    invitation = link_in(mail.outbox[-1], "/invitation/")

    # 4. The invoice, in Factur-X.
    response = staff_client.post(reverse("billing:staff_invoice_issue", kwargs={"order_pk": order.pk}))
    invoice = Invoice.objects.get(order=order)
    assert response.url == reverse("billing:staff_invoice", kwargs={"pk": invoice.pk})
    root = facturx(staff_client.get(reverse("billing:staff_invoice_pdf", kwargs={"pk": invoice.pk})).content)
    assert xpath(root, TOTALS + "ram:DuePayableAmount") == "21380.00"
    books_hold()

    # Payment recorded by staff: the territory's fund gets 1 %, printing is released.
    response = staff_client.post(
        reverse("billing:staff_invoice", kwargs={"pk": invoice.pk}),
        {
            "action": "payment",
            "payment-amount": "21 380,00",
            "payment-received_on": timezone.localdate().isoformat(),
            "payment-method": "public_treasury",
            "payment-reference": "Mandat 2026-77",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert FundMovement.objects.get(order=order).amount_cents == 20_000
    try:
        from aptic.printing.models import PrintRelease
    except ImportError:  # printing not deployed
        PrintRelease = None  # noqa: N806
    if PrintRelease is not None:
        assert PrintRelease.objects.get(order=order).reason == "paid"
    books_hold()

    # The funder's administrator joins and sees its documents, orders and fund.
    funder_client = Client()
    response = funder_client.post(
        invitation,
        {
            "full_name": "Dominique Maire",
            "password": "un-mot-de-passe-solide",
            "password_confirm": "un-mot-de-passe-solide",
        },
    )
    assert response.status_code == 302
    funder_client.force_login(funder.memberships.get(role="admin").user)
    slug = {"org_slug": funder.slug}
    page = funder_client.get(reverse("billing:funder_documents", kwargs=slug)).content.decode()
    assert invoice.number in page and "Payée" in page
    assert "Payée" in funder_client.get(reverse("billing:funder_orders", kwargs=slug)).content.decode()
    fund = funder_client.get(reverse("billing:funder_fund", kwargs=slug)).content.decode()
    assert "Loire (42)" in fund or "Loire" in fund
    assert "200 €" in fund
    pdf = funder_client.get(reverse("billing:funder_invoice_pdf", kwargs={**slug, "pk": invoice.pk})).content
    facturx(pdf)

    # 8. Expiry, by the daily command after the grace date: a credit note for the unused vouchers.
    later = order.grace_until + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    call_command("expire_vouchers")
    note = CreditNote.objects.get(order=order, kind="expiry")
    assert (note.voucher_count, note.total_cents) == (2000, 2_000_000)
    page = funder_client.get(reverse("billing:funder_documents", kwargs=slug)).content.decode()
    assert note.number in page and "20\u202f000 €" in page
    assert "Chèques expirés" in pdf_text(
        funder_client.get(reverse("billing:funder_credit_note_pdf", kwargs={**slug, "pk": note.pk})).content
    )
    books_hold()

    # The next order of the same funder: the credit note comes off its invoice.
    mail.outbox.clear()
    request_quote(Client(), offers, quantity="2000")
    second, link = staff_quotes_and_sends(staff_client, capture, offers)
    funder_accepts(link)
    with capture(execute=True):
        staff_client.post(reverse("billing:staff_quote", kwargs={"pk": second.pk}), {"action": "validate"})
    second.refresh_from_db()
    assert second.funder == funder
    staff_client.post(reverse("billing:staff_invoice_issue", kwargs={"order_pk": second.order_id}))
    next_invoice = Invoice.objects.get(order_id=second.order_id)
    assert (next_invoice.credits_cents, next_invoice.due_cents) == (2_000_000, 138_000)
    root = facturx(next_invoice.pdf)
    assert xpath(root, TOTALS + "ram:TotalPrepaidAmount") == "20000.00"
    page = funder_client.get(reverse("billing:funder_documents", kwargs=slug)).content.decode()
    assert next_invoice.number in page
    books_hold()
