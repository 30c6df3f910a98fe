"""The write half of a redemption, once the vouchers are judged spendable (ADR 0017).

PostgreSQL: one call of the server-side function `aptic_redemption_write` (migration 0004), one
round trip; it is the only SQL that writes redemptions (ADR 0029). Elsewhere (SQLite, embedded
mode): the same rows through the ORM, the events by events.py and the ledger transaction by
ledger.transaction_post, as every other change of state and posting. Both flip the
vouchers with a conditional UPDATE whose row count must match, and both leave the partial unique
index on live redemption lines as the second barrier. Either raises VoucherTaken or KeyTaken."""

from contextlib import nullcontext
from typing import NamedTuple

from django.db import DatabaseError, IntegrityError, transaction

from aptic.ledger import services as ledger

from . import events
from .models import Redemption, RedemptionLine, Voucher, VoucherStatus

KEY_CONSTRAINT = "idempotency_key"  # the constraint (PostgreSQL) or the column (SQLite) named in the error


class VoucherTaken(Exception):
    """A voucher changed state since it was read: nothing was written."""


class KeyTaken(Exception):
    """Another request with the same idempotency key committed first."""


def _constraint(exc: Exception) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", "") or str(exc)


class Till(NamedTuple):
    """A redemption's circumstances: who, where, for which service, under which key, when."""

    provider: object
    place: object
    offer: object
    user: object
    idempotency_key: str
    at: object


def unsaved(till: Till, *, covered: int, count: int) -> Redemption:
    """The redemption row as both writers fill it in."""
    return Redemption(
        provider=till.provider,
        place=till.place,
        offer=till.offer,
        price_cents=till.offer.price_cents,
        covered_cents=covered,
        remainder_cents=max(0, till.offer.price_cents - covered),
        voucher_count=count,
        created_by=till.user,
        idempotency_key=till.idempotency_key,
        created_at=till.at,
    )


def own_statement(db):
    """The scope of a write on the connection `db`: on PostgreSQL outside an outer transaction,
    none (the write is one statement, hence its own transaction: no BEGIN/COMMIT round trips,
    ADR 0027); inside one, a savepoint, so that a refused write spoils nothing around it and can be
    retried; the ORM write (SQLite) needs a transaction."""
    alone = db.vendor == "postgresql" and not db.in_atomic_block
    return nullcontext() if alone else transaction.atomic(using=db.alias)


def write(*, cursor, redemption: Redemption, vouchers, user, reason: str, description: str, entries) -> Redemption:
    """Save `redemption` (unsaved, fields set) with its lines, events, voucher flips and ledger
    transaction (`entries`: balanced (account id, cents); `{id}` in `description` becomes its id),
    through `cursor` on PostgreSQL (the redemption's read went through it too)."""
    try:
        if cursor.db.vendor == "postgresql":
            _write_postgresql(cursor, redemption, vouchers, user, reason, description, entries)
        else:
            _write_orm(redemption, vouchers, user, reason, description, entries)
    except IntegrityError as exc:
        if redemption.idempotency_key and KEY_CONSTRAINT in _constraint(exc):
            raise KeyTaken from exc
        raise VoucherTaken from exc
    except DatabaseError as exc:
        if "aptic_voucher_taken" in str(exc) or deadlocked(exc):
            raise VoucherTaken from exc
        raise
    return redemption


def deadlocked(exc: Exception) -> bool:
    """PostgreSQL chose this statement to break a deadlock: it was undone, and can be tried again.
    Both writers take the key then the vouchers in id order, so this is a last resort."""
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


def _array(integers) -> str:
    """An integer array as PostgreSQL's text literal, cast in the statement: the driver takes a
    third of the time to send it than to adapt a Python list."""
    return "{" + ",".join(str(int(value)) for value in integers) + "}"


def _write_postgresql(cursor, redemption, vouchers, user, reason, description, entries):
    cursor.execute(
        "SELECT aptic_redemption_write(%s, %s, %s, %s, %s, %s, %s, %s, "
        "%s::bigint[], %s::integer[], %s, %s, %s::bigint[], %s::bigint[])",
        [
            redemption.provider_id,
            redemption.place_id,
            redemption.offer_id,
            redemption.price_cents,
            redemption.covered_cents,
            user.pk,
            redemption.created_at,
            redemption.idempotency_key,
            _array(v.pk for v in vouchers),
            _array(v.order.face_value_cents for v in vouchers),
            reason,
            description,
            _array(account_id for account_id, _ in entries),
            _array(amount for _, amount in entries),
        ],
    )
    redemption.pk = cursor.fetchone()[0]
    redemption._state.adding, redemption._state.db = False, cursor.db.alias


def _write_orm(redemption, vouchers, user, reason, description, entries):
    redemption.save(force_insert=True)
    changed = Voucher.objects.filter(pk__in=[v.pk for v in vouchers], status=VoucherStatus.ACTIVE).update(
        status=VoucherStatus.REDEEMED, redemption=redemption
    )
    if changed != len(vouchers):
        raise VoucherTaken
    RedemptionLine.objects.bulk_create(
        [RedemptionLine(redemption=redemption, voucher=v, amount_cents=v.order.face_value_cents) for v in vouchers]
    )
    events.voucher_events_redeemed(vouchers, redemption=redemption, actor=user, reason=reason)
    ledger.transaction_post(
        kind="redemption",
        description=description.replace("{id}", str(redemption.pk)),
        reference=f"redemption:{redemption.pk}",
        lines=entries,
        actor=user,
        at=redemption.created_at,
    )
