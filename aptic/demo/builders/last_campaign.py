"""Last campaign's Gironde order, from its invoice to its expiry (ADR 0037), before this campaign's
billing deducts its expiry credit note: invoiced and paid early last year, printed, shipped to the
Gironde's two distributors, handed out in its last autumn, used from the day after its first handouts
to its grace date, then expired the day after (its credit note is the billing builder's).
"""

import datetime

from aptic.billing.invoicing import invoice_issue, payment_record
from aptic.billing.models import PaymentMethod
from aptic.distribution.demo import CATEGORIES, distributed_booklets, hand_out_in_runs
from aptic.distribution.shipments import shipment_create
from aptic.printing.services import file_voucher_limit, order_print_release, print_files_generate
from aptic.vouchers.lifecycle import vouchers_expire

from . import usage


def _admin(organisation):
    return organisation.memberships.filter(role="admin").select_related("user").first().user


def build(context) -> None:
    order = context.orders.get("expired")
    if order is None:
        return
    calendar = context.calendar
    staff = _admin(context.organisations["platform"][0])
    invoice = invoice_issue(order=order, actor=staff, issued_on=calendar.last_invoiced_on)
    payment_record(
        invoice=invoice,
        amount_cents=invoice.due_cents,
        received_on=calendar.last_paid_on,
        method=PaymentMethod.PUBLIC_TREASURY,
        reference=f"Mandat {calendar.last_paid_on.year}-0412",
        actor=staff,
        start_printing=False,
    )
    released = calendar.moment(calendar.last_paid_on, 15)
    order_print_release(order=order, user=staff, reason="paid", produce=False, at=released)
    if order.quantity <= file_voucher_limit():
        print_files_generate(order=order, at=released + datetime.timedelta(hours=2))
    medoc, merignac = context.organisations["dist_medoc"][0], context.organisations["dist_ccas"][0]
    count = order.quantity // order.booklet_size
    half = distributed_booklets(context, count) // 2
    shipped_on = calendar.last_shipped_on
    shipment_create(order=order, recipient=medoc, ranges=[(1, 2 * half)], shipped_on=shipped_on, user=staff)
    shipment_create(
        order=order, recipient=merignac, ranges=[(2 * half + 1, 4 * half)], shipped_on=shipped_on, user=staff
    )
    start, end = calendar.last_handouts
    hand_out_in_runs(context, medoc, order, 1, half, _admin(medoc), start, end, categories=CATEGORIES)
    hand_out_in_runs(context, merignac, order, 2 * half + 1, 3 * half, _admin(merignac), start, end)
    # Used from the day after the first handouts to the grace date, at the year of use's pace.
    first_use = start + datetime.timedelta(days=1)
    days = (calendar.last_campaign_grace - first_use).days + 1
    count = max(5, int(usage.USES * context.scale * days / 365))
    usage.uses_make(context, [order], first_use, calendar.last_campaign_grace, count)
    vouchers_expire(day=calendar.expiry_day, at=calendar.moment(calendar.expiry_day, 2))
