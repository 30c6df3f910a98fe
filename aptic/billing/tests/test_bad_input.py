"""Bad input: French messages naming what is wrong, and nothing half-created."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction

from aptic.billing import services
from aptic.billing.models import Invoice, Offer, Quote, QuoteRequest
from aptic.core.errors import DomainError
from aptic.core.files import private_storage

from .helpers import pdf_bytes

NEXT_MONTH = datetime.date.today() + datetime.timedelta(days=30)


def _draft(quote_request, staff):
    return services.quote_create_from_request(request=quote_request(), actor=staff)


def _update(quote, staff, **kwargs):
    values = dict(offer=quote.offer, quantity=2000, booklet_size=10, valid_until=NEXT_MONTH)  # noqa: C408
    values.update(kwargs)
    return services.quote_update(quote=quote, actor=staff, **values)


@pytest.mark.django_db
def test_quantity_under_the_offer_minimum(quote_request, staff, offers):
    quote = _draft(quote_request, staff)
    with pytest.raises(
        DomainError, match="L'offre Plus demande au moins 2\u202f000 chèques ; ce devis en compte 1\u202f500"
    ) as exc:
        _update(quote, staff, quantity=1500, options={"network_delivery": 10000})
    assert exc.value.field == "quantity"
    quote.refresh_from_db()
    assert (quote.quantity, quote.options.count()) == (2000, 0)  # unchanged
    _update(quote, staff, offer=offers["standard"], quantity=1500)  # Standard starts at 1 000


@pytest.mark.django_db
def test_booklet_size_the_offer_does_not_allow(quote_request, staff, offers):
    quote = _draft(quote_request, staff)
    with pytest.raises(DomainError, match="L'offre Standard propose des carnets de 10 chèques, pas de 5"):
        _update(quote, staff, offer=offers["standard"], booklet_size=5)
    with pytest.raises(DomainError, match="nombre entier de carnets de 10"):
        _update(quote, staff, quantity=2005)
    quote.refresh_from_db()
    assert (quote.offer.code, quote.booklet_size) == ("plus", 10)


@pytest.mark.django_db
def test_options_and_targeting_outside_the_offer(quote_request, staff, offers, vocabulary):
    from aptic.vocabulary.models import ServiceCategory

    quote = _draft(quote_request, staff)
    with pytest.raises(
        DomainError, match="« Couverture personnalisée des carnets » n'est pas comprise dans l'offre Plus"
    ):
        _update(quote, staff, options={"custom_cover": 50000})
    with pytest.raises(DomainError, match="ciblage des services payables n'est pas compris dans l'offre Plus"):
        _update(quote, staff, rule_categories=list(ServiceCategory.objects.all()[:1]))
    with pytest.raises(DomainError, match="par pas de 5 centimes"):
        _update(quote, staff, options={"network_delivery": 10001})
    _update(quote, staff, offer=offers["premium"], options={"custom_cover": 50000})


@pytest.mark.django_db
def test_request_under_the_minimum_or_with_a_bad_siret(quote_request):
    with pytest.raises(DomainError, match="L'offre Plus compte au moins 2\u202f000 chèques ; vous en demandez 500"):
        quote_request(quantity=500)
    with pytest.raises(DomainError, match="ni un SIREN .* ni un SIRET"):
        quote_request(siret="123 456 789")
    assert QuoteRequest.objects.count() == 0
    assert quote_request(siret="214 202 186").siren == "214202186"  # a SIREN alone will do


def _stored() -> set[str]:
    folder = "billing/acceptances"
    return set(private_storage.listdir(folder)[1]) if private_storage.exists(folder) else set()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("devis.pdf", b"Bonjour, voici mon devis", "n'est pas un PDF"),
        ("devis.docx", b"PK\x03\x04 a word file", "n'est pas un PDF"),
        ("devis.pdf", b"%PDF-1.7\n garbage, no objects", "ne s'ouvre pas"),
        ("vide.pdf", b"", "vide"),
    ],
)
@pytest.mark.django_db
def test_an_upload_that_is_not_a_pdf(sent_quote, name, content, message):
    quote = sent_quote()
    stored_before = _stored()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(DomainError, match=message) as exc:
        services.quote_accept(quote=quote, kind="signed_quote", document=upload, signer_name="M. le maire")
    assert name in exc.value.message and exc.value.field == "document"
    quote.refresh_from_db()
    assert quote.status == "sent" and not quote.acceptance_file
    assert _stored() == stored_before  # no file written


@pytest.mark.django_db
def test_purchase_order_needs_its_reference(sent_quote):
    quote = sent_quote()
    upload = SimpleUploadedFile("bc.pdf", pdf_bytes(), content_type="application/pdf")
    with pytest.raises(DomainError, match="référence du bon de commande"):
        services.quote_accept(quote=quote, kind="purchase_order", document=upload, signer_name="M. X")


@pytest.mark.django_db
def test_a_failed_validation_leaves_nothing(sent_quote, staff, monkeypatch):
    """The order cannot be issued: no organisation, no invitation, no order, the quote still accepted."""
    from aptic.accounts.models import Organisation

    quote = sent_quote()
    upload = SimpleUploadedFile("devis.pdf", pdf_bytes(), content_type="application/pdf")
    quote = services.quote_accept(quote=quote, kind="signed_quote", document=upload, signer_name="M. X")

    def broken(**kwargs):
        raise DomainError("Émission impossible.")

    monkeypatch.setattr(services, "order_issue", broken)
    with pytest.raises(DomainError):
        services.quote_validate(quote=quote, actor=staff)
    assert Organisation.objects.filter(kind="funder").count() == 0
    assert Quote.objects.get(pk=quote.pk).status == "accepted"


@pytest.mark.django_db
def test_payment_must_match_the_invoice(sent_quote, staff):
    quote = sent_quote()
    upload = SimpleUploadedFile("devis.pdf", pdf_bytes(), content_type="application/pdf")
    quote = services.quote_accept(quote=quote, kind="signed_quote", document=upload, signer_name="M. X")
    quote = services.quote_validate(quote=quote, actor=staff)
    invoice = services.invoice_issue(order=quote.order, actor=staff)
    with pytest.raises(DomainError, match="diffère du net à payer"):
        services.payment_record(invoice=invoice, amount_cents=100, received_on=datetime.date.today(), actor=staff)
    with pytest.raises(DomainError, match="futur"):
        services.payment_record(
            invoice=invoice,
            amount_cents=invoice.due_cents,
            received_on=datetime.date.today() + datetime.timedelta(days=3),
            actor=staff,
        )
    with pytest.raises(DomainError, match="déjà facturée"):
        services.invoice_issue(order=quote.order, actor=staff)
    # Never edited: the database refuses it.
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(due_cents=0, total_cents=0)
    assert Offer.objects.filter(code="plus").exists()
