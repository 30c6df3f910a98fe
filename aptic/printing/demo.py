"""Demo printing: the vouchers demo's orders released for printing (paid; the CCAS's early, as a public body
paying after service). A print file is only ever a real PDF (ADR 0024): orders of one file or less (every
order at the tests' scale) get their files now; larger ones (at full scale, minutes of rendering) are
released without files, and staff produce them from the order's print page, through the print job."""

from aptic.vouchers.models import Order

from .services import file_voucher_limit, order_print_release, print_files_generate

FUNDERS = ("funder_dep", "funder_ccas", "funder_company")


def build(context) -> None:
    staff = context.organisations["platform"][0].memberships.filter(role="admin").first().user
    ccas = context.organisations.get("funder_ccas", [None])[0]
    # The vouchers demo's funders: their orders are paid, the CCAS's awaits payment (billing's demo);
    # the prospects' orders are not invoiced yet, so not printed.
    funders = [o for key in FUNDERS for o in context.organisations.get(key, [])]
    orders = list(
        Order.objects.filter(funder__in=funders, issued_at__isnull=False, print_release__isnull=True)
        .select_related("funder")
        .order_by("quantity", "pk")
    )
    calendar = context.calendar
    released_on = {
        context.organisations[key][0].pk: day
        for key, day in (
            ("funder_ccas", calendar.invoiced_on),
            ("funder_company", calendar.paid_on),
            ("funder_dep", calendar.gironde_paid_on),
        )
        if context.organisations.get(key)
    }
    for order in orders:
        # Released the afternoon of its payment (the CCAS's, of its invoice), on the calendar (ADR 0037).
        day = released_on.get(order.funder_id, calendar.today)
        at = calendar.moment(day, 15)
        if ccas is not None and order.funder_id == ccas.pk:
            order_print_release(
                order=order,
                user=staff,
                reason="early",
                justification="CCAS : paiement à 30 jours après service fait (mandat administratif).",
                produce=False,
                at=at,
            )
        else:
            order_print_release(order=order, user=staff, reason="paid", produce=False, at=at)
        if order.quantity <= file_voucher_limit():
            print_files_generate(order=order, at=calendar.moment(day, 17))
