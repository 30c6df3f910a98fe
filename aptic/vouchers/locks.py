"""Row locks on vouchers, taken in one way by every service that changes their state."""

from django.db.models import QuerySet

from .models import Voucher


def vouchers_lock(vouchers: QuerySet) -> list[Voucher]:
    """The vouchers of the queryset, locked until the end of the transaction (call it inside one).

    Always in primary-key order, whoever locks: two services locking overlapping vouchers then
    wait for each other instead of deadlocking. Only the voucher rows are locked (`of=self`), not
    the rows of what the caller joins (their order, say), which other tills read."""
    return list(vouchers.select_for_update(of=("self",)).order_by("pk"))
