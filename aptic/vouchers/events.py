"""The vouchers' event rows: one named writer per kind of state change (as Saleor's
giftcard/events.py). Every change of a voucher's state writes its event through here, in the same
transaction as the change: who, when, from which state to which, and why.

The one exception is `aptic_redemption_write` (PostgreSQL, migration vouchers/0004), which writes
the `redeemed` events of a redemption inside the same statement as the rest of it (ADR 0029)."""

import datetime

from django.db import connection
from django.utils import timezone

from .models import Redemption, Voucher, VoucherEvent, VoucherStatus

REASON_MAX = 250


def _write(
    vouchers,
    *,
    to_status: str,
    actor,
    reason: str,
    from_status: str | None = None,
    redemption: Redemption | None = None,
    at: datetime.datetime | None = None,
) -> None:
    """One event per voucher, in bulk; `from_status` None: each voucher's status as it was read."""
    at = at or timezone.now()
    VoucherEvent.objects.bulk_create(
        [
            VoucherEvent(
                voucher_id=v.pk,
                from_status=from_status or v.status,
                to_status=to_status,
                actor=actor,
                reason=reason[:REASON_MAX],
                redemption=redemption,
                created_at=at,
            )
            for v in vouchers
        ],
        batch_size=5000,
    )


def voucher_events_activated(vouchers, *, actor, reason: str, at=None) -> None:
    """Issued vouchers handed out to beneficiaries (a booklet, a run of booklets)."""
    _write(
        vouchers, from_status=VoucherStatus.ISSUED, to_status=VoucherStatus.ACTIVE, actor=actor, reason=reason, at=at
    )


def voucher_events_stopped(vouchers: list[Voucher], *, actor, reason: str, at=None) -> None:
    """Opposition on lost or stolen vouchers (each from its status before the stop)."""
    _write(vouchers, to_status=VoucherStatus.STOPPED, actor=actor, reason=reason, at=at)


def voucher_events_stop_lifted(vouchers: list[Voucher], *, to_status: str, actor, reason: str) -> None:
    """A stop lifted: back to `to_status` (the state before the stop, or expired meanwhile)."""
    _write(vouchers, from_status=VoucherStatus.STOPPED, to_status=to_status, actor=actor, reason=reason)


def voucher_events_expired(vouchers: list[Voucher], *, actor, reason: str, at=None) -> None:
    """Unredeemed vouchers past their order's grace date (each from its status as it was)."""
    _write(vouchers, to_status=VoucherStatus.EXPIRED, actor=actor, reason=reason, at=at)


def voucher_events_redeemed(vouchers: list[Voucher], *, redemption: Redemption, actor, reason: str) -> None:
    """Active vouchers spent by a redemption, at the redemption's moment (SQLite: the ORM writer)."""
    _write(
        vouchers,
        from_status=VoucherStatus.ACTIVE,
        to_status=VoucherStatus.REDEEMED,
        actor=actor,
        reason=reason,
        redemption=redemption,
        at=redemption.created_at,
    )


def voucher_events_redemption_cancelled(
    vouchers: list[Voucher], *, redemption: Redemption, actor, reason: str, at=None
):
    """A redemption taken back by its provider: its vouchers are usable again."""
    _write(
        vouchers,
        from_status=VoucherStatus.REDEEMED,
        to_status=VoucherStatus.ACTIVE,
        actor=actor,
        reason=reason,
        redemption=redemption,
        at=at,
    )


def voucher_events_moved_sql(moved: str) -> str:
    """The INSERT of one event per row of `moved`, a table expression of (id, redemption_id) of
    vouchers a set-based statement changed (lifecycle.vouchers_reimburse and its reversal); its
    parameters are voucher_events_moved_params'."""
    table = connection.ops.quote_name(VoucherEvent._meta.db_table)
    return (
        f"INSERT INTO {table} (voucher_id, from_status, to_status, actor_id, reason, redemption_id, created_at) "  # noqa: S608
        f"SELECT id, %s, %s, %s, %s, redemption_id, %s FROM {moved}"
    )


def voucher_events_moved_params(*, from_status: str, to_status: str, actor, reason: str, at) -> list:
    # Adapted as the ORM does: naive UTC text on SQLite, so raw and ORM rows compare and sort alike.
    created_at = connection.ops.adapt_datetimefield_value(at)
    return [from_status, to_status, getattr(actor, "pk", None), reason[:REASON_MAX], created_at]
