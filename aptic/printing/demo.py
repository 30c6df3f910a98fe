"""Demo printing: the vouchers demo's orders released for printing (paid; the CCAS's early, as a public body
paying after service). The smallest order gets real files when it is small (the tests' scale);
at full scale the prints are recorded without files, so `make run` stays fast: staff produce
the files from the order's print page, with the job's progress shown."""

from aptic.vouchers.models import Order

from .services import order_print_release, print_files_generate, print_files_record

REAL_FILES_UP_TO = 1000  # vouchers
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
    for index, order in enumerate(orders):
        if ccas is not None and order.funder_id == ccas.pk:
            order_print_release(
                order=order,
                user=staff,
                reason="early",
                justification="CCAS : paiement à 30 jours après service fait (mandat administratif).",
                produce=False,
            )
        else:
            order_print_release(order=order, user=staff, reason="paid", produce=False)
        if index == 0 and order.quantity <= REAL_FILES_UP_TO:
            print_files_generate(order=order)
        else:
            print_files_record(order=order)
