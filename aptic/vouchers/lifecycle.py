"""Voucher state changes other than spending: activation, stop (lost or stolen), lifting a stop,
expiry. Each is one service; each writes one event row per voucher changed.

    issued → active → redeemed → reimbursed
    issued/active → expired          (past the order's grace date)
    issued/active ⇄ stopped          (stop, lift)
"""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from aptic.accounts.permissions import staff_check
from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock, formats
from aptic.core.errors import DomainError
from aptic.ledger import services as ledger

from . import events
from .accounts import order_outstanding_account
from .locks import vouchers_lock
from .models import UNREDEEMED, Booklet, Order, Voucher, VoucherStatus


def _locked(queryset) -> list[Voucher]:
    return vouchers_lock(queryset.only("pk", "status", "status_before_stop", "order_id"))


# --- What may still be handed to a beneficiary ---------------------------------------------------
# One rule for shipments, postal mailings and handouts (ADR 0022): nothing leaves once the order's
# validity has ended (a letter would promise a date already past), and no booklet holding a
# stopped (lost, stolen) or expired voucher.
NOT_DISTRIBUTABLE = (VoucherStatus.STOPPED, VoucherStatus.EXPIRED)


def order_distribution_refusal(order: Order, day: datetime.date | None = None) -> str | None:
    """None while the order's vouchers may still be shipped, mailed or handed out; else why not."""
    day = day or timezone.localdate()
    if day > order.valid_until:
        return (
            f"La commande n° {order.pk} n'est plus valable depuis le {order.valid_until:%d/%m/%Y} : "
            "ses chèques ne peuvent plus être expédiés, postés ni remis."
        )
    return None


def distributable_orders(queryset, day: datetime.date | None = None):
    """The orders of queryset whose vouchers may still be shipped, mailed or handed out (the rule of
    order_distribution_refusal, as a filter for the forms' choices)."""
    return queryset.filter(valid_until__gte=day or timezone.localdate())


def blocked_booklet_numbers(order: Order, ranges: list[tuple[int, int]] | None = None) -> list[int]:
    """Numbers of the order's booklets (within the ranges of booklet numbers, if given) holding a
    stopped or expired voucher, in order."""
    size = order.booklet_size
    where = Q()
    for first, last in ranges or []:
        where |= Q(sequence__gte=(first - 1) * size + 1, sequence__lte=last * size)
    sequences = Voucher.objects.filter(where, order=order, status__in=NOT_DISTRIBUTABLE).values_list(
        "sequence", flat=True
    )
    return sorted({(sequence - 1) // size + 1 for sequence in sequences})


def distribution_check(*, order: Order, ranges: list[tuple[int, int]] | None = None, day=None, field=None) -> None:
    """DomainError unless the booklets (ranges of numbers; None: the order as a whole) may be
    shipped, mailed or handed out. An ended order's error names the field "order", blocked
    booklets the given field."""
    refusal = order_distribution_refusal(order, day)
    if refusal:
        raise DomainError(refusal, field="order", code="expired")
    if ranges is not None:
        blocked = blocked_booklet_numbers(order, ranges)
        if blocked:
            shown = formats.join([str(n) for n in blocked[:10]]) + (" …" if len(blocked) > 10 else "")
            raise DomainError(
                f"Carnet n° {shown} en opposition ou expiré : il ne peut être ni expédié ni remis."
                if len(blocked) == 1
                else f"Carnets n° {shown} en opposition ou expirés : ils ne peuvent être ni expédiés ni remis.",
                field=field,
                code="stopped",
            )


@transaction.atomic
def booklet_activate(*, booklet: Booklet, actor=None, reason: str = "Carnet remis au bénéficiaire", at=None) -> int:
    """Issued vouchers of the booklet become usable; returns how many changed."""
    vouchers = [v for v in _locked(booklet.vouchers) if v.status == VoucherStatus.ISSUED]
    if not vouchers:
        return 0
    Voucher.objects.filter(pk__in=[v.pk for v in vouchers], status=VoucherStatus.ISSUED).update(
        status=VoucherStatus.ACTIVE
    )
    events.voucher_events_activated(vouchers, actor=actor, reason=reason, at=at)
    return len(vouchers)


@transaction.atomic
def booklets_activate(
    *, order: Order, numbers: range, actor=None, reason: str = "Carnets remis aux bénéficiaires", at=None
) -> int:
    """Activate a run of booklets at once (a distributor hands out thousands): one UPDATE, events in bulk."""
    size = order.booklet_size
    first, last = (numbers.start - 1) * size + 1, (numbers.stop - 1) * size
    if numbers.step != 1 or numbers.start < 1 or last > order.quantity or first > last:
        raise DomainError(f"Les carnets {numbers.start} à {numbers.stop - 1} n'existent pas dans cette commande.")
    in_range = Voucher.objects.filter(order=order, sequence__gte=first, sequence__lte=last)
    vouchers = _locked(in_range.filter(status=VoucherStatus.ISSUED))
    # The rows are locked above, so this updates exactly them (no IN list of thousands of ids).
    in_range.filter(status=VoucherStatus.ISSUED).update(status=VoucherStatus.ACTIVE)
    events.voucher_events_activated(vouchers, actor=actor, reason=reason, at=at)
    return len(vouchers)


def _audit_stops(action, vouchers, actor, reason: str, at=None) -> None:
    """One journal line per order touched: who stopped or lifted which vouchers, and why."""
    orders = Order.objects.select_related("funder").in_bulk({v.order_id for v in vouchers})
    for order_id, order in sorted(orders.items()):
        serials = [order.serial(v.sequence) for v in vouchers if v.order_id == order_id]
        audit_record(
            actor=actor,
            action=action,
            target=order,
            organisation=order.funder,
            details={"reason": reason, "count": len(serials), "vouchers": serials[:100]},
            at=at,
        )


# Why a voucher cannot be stopped, each in its own words: (one voucher, several).
_NOT_STOPPABLE = {
    VoucherStatus.STOPPED: ("déjà en opposition", "déjà en opposition"),
    VoucherStatus.EXPIRED: ("expiré (sa date limite d'utilisation est passée)", "expirés"),
    VoucherStatus.REDEEMED: ("déjà utilisé", "déjà utilisés"),
    VoucherStatus.REIMBURSED: ("déjà utilisé et remboursé à la structure", "déjà utilisés et remboursés"),
}


def stop_refusal(vouchers) -> str | None:
    """Why none of these vouchers can be stopped, each status of theirs said distinctly; None when
    one of them at least can be (or there are none)."""
    if not vouchers or any(v.status in (VoucherStatus.ISSUED, VoucherStatus.ACTIVE) for v in vouchers):
        return None
    if len(vouchers) == 1:
        return f"Ce chèque ne peut pas être mis en opposition : il est {_NOT_STOPPABLE[vouchers[0].status][0]}."
    counts = {status: sum(1 for v in vouchers if v.status == status) for status in _NOT_STOPPABLE}
    shown = [(status, n) for status, n in counts.items() if n]
    if len(shown) == 1:
        why = _NOT_STOPPABLE[shown[0][0]][1]
        return f"Ces {formats.count(len(vouchers), 'chèque')} ne peuvent pas être mis en opposition : ils sont {why}."
    parts = [f"{n} {formats.plural(n, 'est', 'sont')} {_NOT_STOPPABLE[status][n > 1]}" for status, n in shown]
    return f"Aucun de ces chèques ne peut être mis en opposition : {formats.join(parts)}."


@transaction.atomic
def vouchers_stop(*, vouchers, actor, reason: str, at=None) -> int:
    """Opposition on lost or stolen vouchers; spent or expired ones are left as they are. `at`: when
    the loss was declared (now by default, never to come)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez le motif de l'opposition (perte, vol…).", field="reason")
    at = clock.moment(at)
    locked = _locked(Voucher.objects.filter(pk__in=[v.pk for v in vouchers]))
    stoppable = [v for v in locked if v.status in (VoucherStatus.ISSUED, VoucherStatus.ACTIVE)]
    if not stoppable:
        refusal = stop_refusal(locked) or "Choisissez au moins un chèque à mettre en opposition."
        raise DomainError(refusal, code="not_stoppable")
    for status in (VoucherStatus.ISSUED, VoucherStatus.ACTIVE):
        Voucher.objects.filter(pk__in=[v.pk for v in stoppable if v.status == status], status=status).update(
            status=VoucherStatus.STOPPED, status_before_stop=status
        )
    events.voucher_events_stopped(stoppable, actor=actor, reason=reason, at=at)
    _audit_stops(AuditAction.VOUCHER_STOPPED, stoppable, actor, reason, at=at)
    return len(stoppable)


@transaction.atomic
def booklet_stop(*, booklet: Booklet, actor, reason: str, organisation=None, sequences=None) -> int:
    """A funder or distributor declares a booklet (or some of its vouchers, by sequence) lost or
    stolen. Whose booklet it is, the caller's selector decides (distribution.selectors); the event
    names who declared it."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez le motif de l'opposition (perte, vol…).", field="reason")
    vouchers = booklet.vouchers
    if sequences is not None:
        wanted = set(sequences)
        vouchers = vouchers.filter(sequence__in=wanted)
        if not wanted or len(vouchers) != len(wanted):
            raise DomainError("Choisissez des chèques de ce carnet.", field="vouchers")
    if organisation is not None:
        reason = f"{reason} (déclaré par {organisation.name})"
    return vouchers_stop(vouchers=list(vouchers), actor=actor, reason=reason)


def stop(*, vouchers, actor, reason: str, lift: bool = False) -> int:
    """Stop or lift: the one door the back office's actions go through."""
    return (vouchers_stop_lift if lift else vouchers_stop)(vouchers=vouchers, actor=actor, reason=reason)


@transaction.atomic
def vouchers_stop_lift(*, vouchers, actor, reason: str, day: datetime.date | None = None) -> int:
    """Back to the state before the stop, or expired if the order's grace date has passed meanwhile.
    Only the platform's staff lift a stop (a found booklet is checked by them)."""
    staff_check(actor, "Seule l'équipe #APTIC peut lever une opposition.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez pourquoi l'opposition est levée.", field="reason")
    day = day or timezone.localdate()
    locked = _locked(Voucher.objects.filter(pk__in=[v.pk for v in vouchers], status=VoucherStatus.STOPPED))
    if not locked:
        raise DomainError("Aucun de ces chèques n'est en opposition.")
    orders = {o.pk: o for o in Order.objects.filter(pk__in={v.order_id for v in locked})}
    for voucher in locked:
        target = voucher.status_before_stop
        Voucher.objects.filter(pk=voucher.pk, status=VoucherStatus.STOPPED).update(status=target, status_before_stop="")
        events.voucher_events_stop_lifted([voucher], to_status=target, actor=actor, reason=reason)
    _audit_stops(AuditAction.VOUCHER_STOP_LIFTED, locked, actor, reason)
    # Past the grace date, a lifted voucher expires as the daily job would have expired it: with the
    # expiry posting that credits the funder (its credit note follows with the daily job's catch-up).
    for order in sorted((o for o in orders.values() if o.is_expired(day)), key=lambda o: o.pk):
        order_expire(order=order, day=day, actor=actor)
    return len(locked)


@transaction.atomic
def order_expire(*, order: Order, day: datetime.date, actor=None, at=None) -> int:
    """Expire the order's unredeemed vouchers and give their face value back to the funder's account.
    `at`: when (now by default; the demo's calendar gives the morning of `day`)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not order.is_expired(day):
        raise DomainError(f"La commande n° {order.pk} est valable jusqu'au {order.grace_until:%d/%m/%Y}.")
    vouchers = _locked(order.vouchers.filter(status__in=UNREDEEMED))
    if not vouchers:
        return 0
    Voucher.objects.filter(pk__in=[v.pk for v in vouchers], status__in=UNREDEEMED).update(
        status=VoucherStatus.EXPIRED, status_before_stop=""
    )
    at = clock.moment(at)
    events.voucher_events_expired(
        vouchers, actor=actor, reason=f"Date limite d'utilisation dépassée ({order.grace_until:%d/%m/%Y})", at=at
    )
    amount = len(vouchers) * order.face_value_cents
    ledger.transaction_post(
        kind="expiry",
        description=f"Expiration de {len(vouchers)} chèques (commande n° {order.pk}) : avoir au commanditaire",
        reference=f"order:{order.pk}",
        lines=[(order_outstanding_account(order), amount), (ledger.funder_account(order.funder), -amount)],
        actor=actor,
        at=at,
    )
    return len(vouchers)


def vouchers_expire(*, day: datetime.date | None = None, at=None) -> dict[int, int]:
    """The daily task: every order past its grace date, one transaction each. {order id: vouchers expired}.
    `at`: when it ran (now by default)."""
    day = day or timezone.localdate()
    due = (
        Order.objects.filter(issued_at__isnull=False, grace_until__lt=day)
        .annotate(open=Count("vouchers", filter=Q(vouchers__status__in=UNREDEEMED)))
        .filter(open__gt=0)
        .order_by("pk")
    )
    return {order.pk: order_expire(order=order, day=day, at=at) for order in due}


# --- Reimbursement (a payout sent to the bank, or returned by it) ----------------------------------


@transaction.atomic
def vouchers_reimburse(*, voucher_ids: QuerySet, actor, reason: str, at=None) -> int:
    """Redeemed vouchers paid back to their provider: `voucher_ids` (a queryset of voucher ids,
    such as a payout's live lines) become reimbursed, with one event each. Returns how many moved:
    the caller checks the count (a voucher no longer redeemed is skipped)."""
    return _move(
        voucher_ids,
        from_status=VoucherStatus.REDEEMED,
        to_status=VoucherStatus.REIMBURSED,
        actor=actor,
        reason=reason,
        at=at,
    )


@transaction.atomic
def vouchers_reimbursement_reverse(*, voucher_ids: QuerySet, actor, reason: str, at=None) -> int:
    """The bank returned the transfer: the reimbursed vouchers are owed (redeemed) again."""
    return _move(
        voucher_ids,
        from_status=VoucherStatus.REIMBURSED,
        to_status=VoucherStatus.REDEEMED,
        actor=actor,
        reason=reason,
        at=at,
    )


def _move(voucher_ids: QuerySet, *, from_status: str, to_status: str, actor, reason: str, at=None) -> int:
    """Move the vouchers of `voucher_ids` still in `from_status` to `to_status`, with one event each,
    set-based (a payout run moves hundreds of thousands).

    PostgreSQL: one statement, `WITH moved AS (UPDATE … RETURNING) INSERT INTO events SELECT … FROM
    moved`, so each event is written for a voucher the statement itself moved, in one pass over the
    vouchers; their ids come as an array (`id = ANY(ARRAY(…))`), so the vouchers are found by primary
    key (a join made the planner hash the whole voucher table for every batch). SQLite has no UPDATE
    inside WITH: the events, then the update, whose counts must match."""
    at = at or timezone.now()
    try:
        ids_sql, ids_params = voucher_ids.query.sql_with_params()
    except EmptyResultSet:  # no id at all (`pk__in=[]`): nothing to move
        return 0
    table = connection.ops.quote_name(Voucher._meta.db_table)
    event_params = events.voucher_events_moved_params(
        from_status=from_status, to_status=to_status, actor=actor, reason=reason, at=at
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH moved AS (UPDATE {table} v SET status = %s "  # noqa: S608 (names and a compiled queryset)
                f"WHERE v.id = ANY(ARRAY({ids_sql})) AND v.status = %s RETURNING v.id, v.redemption_id) "
                + events.voucher_events_moved_sql("moved"),
                [to_status, *ids_params, from_status, *event_params],
            )
            return cursor.rowcount
        cursor.execute(
            events.voucher_events_moved_sql(
                f"(SELECT v.id, v.redemption_id FROM {table} v WHERE v.id IN ({ids_sql}) AND v.status = %s)"  # noqa: S608
            ),
            [*event_params, *ids_params, from_status],
        )
        written = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} SET status = %s WHERE status = %s AND id IN ({ids_sql})",  # noqa: S608
            [to_status, from_status, *ids_params],
        )
        moved = cursor.rowcount
    if written != moved:
        raise DomainError("Des chèques ont changé d'état pendant le virement : rien n'a été modifié.")
    return moved
