"""Documents dated on a given day (the demo's calendar, ADR 0024): a credit note is deducted only from
invoices dated on or after it, and never precedes the invoice it corrects."""

import datetime

import pytest

from aptic.billing import services
from aptic.billing.invoicing import expiry_credit_notes_issue
from aptic.vouchers.lifecycle import vouchers_expire

from .test_documents import _validated


@pytest.mark.django_db
def test_an_invoice_deducts_no_credit_note_dated_after_it(sent_quote, staff):
    quote = _validated(sent_quote, staff)
    order = quote.order
    first = services.invoice_issue(order=order, actor=staff, issued_on=datetime.date(2026, 1, 5))
    services.payment_record(
        invoice=first, amount_cents=first.due_cents, received_on=datetime.date(2026, 2, 3), actor=staff
    )
    vouchers_expire(day=order.grace_until + datetime.timedelta(days=1))
    credited_on = datetime.date(2026, 2, 10)
    (note,) = expiry_credit_notes_issue(issued_on=credited_on)
    assert note.issued_on == credited_on
    earlier = services.invoice_issue(
        order=_validated(sent_quote, staff).order, actor=staff, issued_on=credited_on - datetime.timedelta(days=1)
    )
    assert earlier.credits_cents == 0 and not note.applications.exists()
    later = services.invoice_issue(order=_validated(sent_quote, staff).order, actor=staff, issued_on=credited_on)
    assert later.credits_cents == note.total_cents
    assert note.applications.get().invoice == later


@pytest.mark.django_db
def test_a_correction_credit_note_is_dated_on_or_after_its_invoice(sent_quote, staff):
    quote = _validated(sent_quote, staff)
    invoice = services.invoice_issue(order=quote.order, actor=staff, issued_on=datetime.date(2026, 3, 2))
    gesture = {"invoice": invoice, "amount_excl_vat_cents": 1000, "reason": "Geste", "actor": staff}
    with pytest.raises(services.DomainError, match="ne précède pas sa facture"):
        services.credit_note_correction_issue(**gesture, issued_on=datetime.date(2026, 3, 1))
    note = services.credit_note_correction_issue(**gesture, issued_on=datetime.date(2026, 3, 9))
    assert note.issued_on == datetime.date(2026, 3, 9)
