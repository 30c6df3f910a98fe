"""Orders, stops and expiries dated with the moment they happened (ADR 0037): the demo's calendar,
imports; never in the future, never before the step they follow."""

import datetime

import pytest
from django.utils import timezone

from aptic.audit.models import AuditEvent
from aptic.billing.invoicing import expiry_credit_notes_issue
from aptic.core.errors import DomainError
from aptic.ledger.models import Transaction
from aptic.vouchers.issuance import order_create, order_issue
from aptic.vouchers.lifecycle import vouchers_expire, vouchers_stop
from aptic.vouchers.models import VoucherEvent

pytestmark = pytest.mark.django_db
AGO = timezone.now() - datetime.timedelta(days=400)


def test_an_order_made_in_the_past_is_dated_then_and_valid_from_that_day(funder):
    order = order_create(funder=funder, quantity=10, at=AGO)
    assert order.created_at == AGO and order.valid_from == timezone.localdate(AGO)
    order = order_issue(order=order, at=AGO + datetime.timedelta(hours=1))
    posting = Transaction.objects.get(kind="issuance", reference=f"order:{order.pk}")
    assert posting.created_at == order.issued_at == AGO + datetime.timedelta(hours=1)
    assert AuditEvent.objects.get(action="order.issued").created_at == order.issued_at


def test_an_order_is_never_made_in_the_future_nor_issued_before_it_was_made(funder):
    with pytest.raises(DomainError, match="futur"):
        order_create(funder=funder, quantity=10, at=timezone.now() + datetime.timedelta(hours=1))
    order = order_create(funder=funder, quantity=10, at=AGO)
    with pytest.raises(DomainError, match="avant d'avoir été créée"):
        order_issue(order=order, at=AGO - datetime.timedelta(minutes=1))


def test_a_stop_and_an_expiry_are_dated_when_they_happened(funder, funder_admin):
    order = order_create(
        funder=funder,
        quantity=10,
        valid_from=datetime.date(2024, 1, 1),
        valid_until=datetime.date(2024, 12, 31),
        grace_until=datetime.date(2025, 1, 31),
        at=AGO - datetime.timedelta(days=400),
    )
    order_issue(order=order, at=AGO - datetime.timedelta(days=399))
    stopped_at = AGO - datetime.timedelta(days=100)
    vouchers_stop(vouchers=list(order.vouchers.all()[:2]), actor=funder_admin, reason="Perdu", at=stopped_at)
    assert set(VoucherEvent.objects.filter(to_status="stopped").values_list("created_at", flat=True)) == {stopped_at}
    with pytest.raises(DomainError, match="futur"):
        vouchers_stop(
            vouchers=list(order.vouchers.all()[2:3]),
            actor=funder_admin,
            reason="Perdu",
            at=timezone.now() + datetime.timedelta(hours=1),
        )
    expired_at = AGO
    vouchers_expire(day=datetime.date(2025, 2, 1), at=expired_at)
    assert set(VoucherEvent.objects.filter(to_status="expired").values_list("created_at", flat=True)) == {expired_at}
    assert Transaction.objects.get(kind="expiry").created_at == expired_at
    expiry_credit_notes_issue(issued_on=timezone.localdate(expired_at))  # the books' invariant: credited


def test_a_back_dated_redemption_and_its_cancellation_are_posted_when_they_happened(counter, issued):
    """Both writers (the ORM on SQLite, `aptic_redemption_write` on PostgreSQL) date the posting with
    the redemption, not with the clock."""
    from aptic.vouchers.redemption import redemption_cancel, redemption_create

    organisation, admin, place, _, short = counter
    order = issued(quantity=10, valid_from=timezone.localdate() - datetime.timedelta(days=30))
    at = timezone.now() - datetime.timedelta(days=3)
    code = order.vouchers.order_by("sequence").values_list("code", flat=True).first()
    redemption = redemption_create(
        provider=organisation, place=place, offer=short, codes=[code], user=admin, at=at
    ).redemption
    assert Transaction.objects.get(kind="redemption").created_at == at
    assert VoucherEvent.objects.get(to_status="redeemed").created_at == at
    later = at + datetime.timedelta(hours=1)
    redemption_cancel(redemption=redemption, user=admin, reason="Non rendu", now=later)
    assert Transaction.objects.get(kind="redemption_cancel").created_at == later
    assert VoucherEvent.objects.get(to_status="active", from_status="redeemed").created_at == later


def test_the_set_based_writer_stores_its_moment_as_the_orm_does(funder, funder_admin):
    """The raw INSERT of the set-based moves (payout runs) stores its moment as the ORM stores it
    (naive UTC on SQLite), so events of both writers sort by when they happened."""
    from zoneinfo import ZoneInfo

    from django.db import connection

    from aptic.vouchers import events
    from aptic.vouchers.models import Voucher

    paris = ZoneInfo("Europe/Paris")
    order = order_create(funder=funder, quantity=10, at=AGO - datetime.timedelta(days=30))
    order_issue(order=order, at=AGO - datetime.timedelta(days=29))
    first, second = list(order.vouchers.order_by("pk")[:2])
    raw_at = datetime.datetime(2026, 1, 6, 10, 30, tzinfo=paris)  # 09:30 UTC
    orm_at = datetime.datetime(2026, 1, 6, 10, 45, tzinfo=paris)  # 09:45 UTC, written by the ORM
    table = connection.ops.quote_name(Voucher._meta.db_table)
    params = events.voucher_events_moved_params(
        from_status="active", to_status="reimbursed", actor=funder_admin, reason="Virement", at=raw_at
    )
    with connection.cursor() as cursor:
        cursor.execute(
            events.voucher_events_moved_sql(f"(SELECT id, redemption_id FROM {table} WHERE id = %s) AS moved"),
            [*params, first.pk],
        )
    vouchers_stop(vouchers=[second], actor=funder_admin, reason="Perdu", at=orm_at)
    raw = VoucherEvent.objects.get(to_status="reimbursed")
    assert raw.created_at == raw_at
    later = VoucherEvent.objects.filter(created_at__gte=raw_at).order_by("created_at")
    assert list(later.values_list("to_status", flat=True)) == ["reimbursed", "stopped"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT CAST(created_at AS TEXT) FROM {VoucherEvent._meta.db_table} WHERE id = %s", [raw.pk]
            )  # noqa: S608
            assert cursor.fetchone()[0] == "2026-01-06 09:30:00"
