"""Voucher invariants of the books, run by `manage.py check_ledger`:
- each order's outstanding account equals the face value of its unredeemed vouchers;
- each provider's payable equals the face value of its redeemed, not yet reimbursed vouchers.

A payout (aptic/payouts, ADR 0016) posts payable → bank and turns its vouchers `reimbursed` in the
same transaction, at export; a voucher in a run not yet exported is still `redeemed` and still
owed; a transfer the bank rejects is reversed and its vouchers are `redeemed` again. So the payable
balance is exactly the redeemed vouchers' value at every step; the payouts' own checks (each
reimbursed voucher in one sent payout, each payout posted once) are in aptic/payouts/invariants.py."""

from django.db.models import Count, F, Q, Sum

from aptic.ledger.invariants import invariant
from aptic.ledger.models import Entry

from .models import UNREDEEMED, Order, RedemptionLine, VoucherStatus


@invariant
def outstanding_equals_unredeemed_vouchers() -> list[str]:
    balances = dict(
        Entry.objects.filter(account__code__startswith="order:", account__code__endswith=":outstanding")
        .values_list("account__code")
        .annotate(total=Sum("amount_cents"))
    )
    breaches = []
    orders = Order.objects.filter(issued_at__isnull=False).annotate(
        unredeemed=Count("vouchers", filter=Q(vouchers__status__in=UNREDEEMED))
    )
    for order in orders.values("pk", "face_value_cents", "unredeemed"):
        expected = order["unredeemed"] * order["face_value_cents"]
        booked = -balances.get(f"order:{order['pk']}:outstanding", 0)
        if booked != expected:
            breaches.append(
                f"Commande n° {order['pk']} : {booked} centimes en circulation au grand livre, "
                f"{expected} selon les chèques non utilisés."
            )
    return breaches


@invariant
def payable_equals_redeemed_unpaid_vouchers() -> list[str]:
    # Reimbursed vouchers left the payable with their payout's transaction: only `redeemed` counts.
    balances = dict(
        Entry.objects.filter(account__code__startswith="provider:", account__code__endswith=":payable")
        .values_list("account__organisation_id")
        .annotate(total=Sum("amount_cents"))
    )
    owed = dict(
        RedemptionLine.objects.filter(is_cancelled=False, voucher__status=VoucherStatus.REDEEMED)
        .values_list("redemption__provider_id")
        .annotate(total=Sum(F("amount_cents")))
    )
    breaches = []
    for provider_id in sorted(set(balances) | set(owed)):
        booked, expected = -balances.get(provider_id, 0), owed.get(provider_id, 0)
        if booked != expected:
            breaches.append(
                f"Structure n° {provider_id} : {booked} centimes dus au grand livre, "
                f"{expected} selon les chèques utilisés non remboursés."
            )
    return breaches
