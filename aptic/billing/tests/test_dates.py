"""A quote's journey and the books dated step by step (ADR 0037): never in the future, never before
the step they follow; an invoice or a payment of a past day is recorded and posted as of that day."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aptic.billing import services
from aptic.billing.models import FundMovement, Offer
from aptic.core import clock
from aptic.core.errors import DomainError
from aptic.ledger.models import Transaction

from .helpers import pdf_bytes

pytestmark = pytest.mark.django_db
AGO = timezone.now() - datetime.timedelta(days=20)


def _signed():
    return SimpleUploadedFile("devis.pdf", pdf_bytes("Bon pour accord"), content_type="application/pdf")


def test_each_step_of_a_quote_follows_the_one_before(quote_request, staff):
    request = quote_request(at=AGO)
    assert request.created_at == AGO
    with pytest.raises(DomainError, match="ne peut pas précéder"):
        services.quote_create_from_request(request=request, actor=staff, at=AGO - datetime.timedelta(hours=1))
    quote = services.quote_create_from_request(request=request, actor=staff, at=AGO + datetime.timedelta(days=1))
    services.quote_update(
        quote=quote,
        actor=staff,
        offer=Offer.objects.get(code="plus"),
        quantity=2000,
        booklet_size=5,
        valid_until=timezone.localdate() + datetime.timedelta(days=10),
        at=AGO + datetime.timedelta(days=1, hours=1),
    )
    sent = AGO + datetime.timedelta(days=2)
    quote = services.quote_send(quote=quote, actor=staff, at=sent)
    assert quote.sent_at == sent
    with pytest.raises(DomainError, match="ne peut pas précéder"):
        services.quote_accept(
            quote=quote, kind="signed_quote", document=_signed(), signer_name="M. X", at=sent - datetime.timedelta(1)
        )
    with pytest.raises(DomainError, match="futur"):
        services.quote_accept(
            quote=quote,
            kind="signed_quote",
            document=_signed(),
            signer_name="M. X",
            at=timezone.now() + datetime.timedelta(1),
        )
    accepted = sent + datetime.timedelta(days=3)
    quote = services.quote_accept(quote=quote, kind="signed_quote", document=_signed(), signer_name="M. X", at=accepted)
    validated = accepted + datetime.timedelta(days=1)
    quote = services.quote_validate(quote=quote, actor=staff, at=validated)
    assert quote.validated_at == quote.funder.created_at == quote.order.created_at == quote.order.issued_at == validated


def test_an_invoice_and_its_payment_of_past_days_are_recorded_and_posted_as_of_those_days(sent_quote, staff):
    from .test_documents import _validated

    order = _validated(sent_quote, staff).order
    issued_on = timezone.localdate() - datetime.timedelta(days=10)
    invoice = services.invoice_issue(order=order, actor=staff, issued_on=issued_on)
    assert invoice.created_at == clock.moment_of(issued_on)
    assert Transaction.objects.get(kind="invoice").created_at == clock.moment_of(issued_on)
    received_on = issued_on + datetime.timedelta(days=4)
    payment = services.payment_record(
        invoice=invoice, amount_cents=invoice.due_cents, received_on=received_on, actor=staff, start_printing=False
    )
    assert payment.recorded_at == clock.moment_of(received_on)
    assert Transaction.objects.get(kind="payment").created_at == clock.moment_of(received_on)
    assert FundMovement.objects.get().created_at == clock.moment_of(received_on)
