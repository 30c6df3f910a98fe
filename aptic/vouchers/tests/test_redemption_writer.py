"""PostgreSQL: every redemption is written by the one SQL function `aptic_redemption_write`
(migration 0004, ADR 0029), and a voucher taken between the read and the write is refused by it.

The calls are seen on the wire (a connection execute wrapper), not by replacing our own code."""

import threading
from contextlib import contextmanager

import pytest
from django.db import connection, connections

from aptic.ledger.models import Entry, Transaction
from aptic.vouchers import redemption as redemption_module
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.models import Redemption, RedemptionLine, Voucher, VoucherEvent, VoucherStatus
from aptic.vouchers.redemption import RedemptionRefused, redemption_create

from .test_redemption import codes_of, redeem_result

pytestmark = pytest.mark.postgres

WRITER = "aptic_redemption_write"


@contextmanager
def writer_calls():
    """The outcome of each statement calling the writer on this connection: "ok", or the error raised."""
    calls = []

    def watch(execute, sql, params, many, context):
        if WRITER not in sql:
            return execute(sql, params, many, context)
        try:
            result = execute(sql, params, many, context)
        except Exception as exc:
            calls.append(str(exc).splitlines()[0])
            raise
        calls.append("ok")
        return result

    with connection.execute_wrapper(watch):
        yield calls


def test_a_redemption_is_one_call_of_the_writer_with_all_its_rows(counter, issued):
    codes = codes_of(issued(), 3)
    with writer_calls() as calls:
        made = redeem_result(counter, codes)
    assert calls == ["ok"]
    redemption = made.redemption
    assert (redemption.covered_cents, redemption.voucher_count, made.replayed) == (3000, 3, False)
    vouchers = Voucher.objects.filter(code__in=codes)
    assert set(vouchers.values_list("status", "redemption_id")) == {(VoucherStatus.REDEEMED, redemption.pk)}
    assert RedemptionLine.objects.filter(redemption=redemption, is_cancelled=False).count() == 3
    assert VoucherEvent.objects.filter(redemption=redemption, from_status="active", to_status="redeemed").count() == 3
    posted = Transaction.objects.get(reference=f"redemption:{redemption.pk}")
    assert sorted(Entry.objects.filter(transaction=posted).values_list("amount_cents", flat=True)) == [-3000, 3000]


def test_the_read_and_the_write_share_one_cursor_closed_after(counter, issued):
    """ADR 0063: a redemption's voucher read and its write go through one cursor (opening a cursor
    costs as much as a statement's Python), closed once the redemption is made."""
    order = issued()
    codes = codes_of(order, 2)
    seen = []

    def watch(execute, sql, params, many, context):
        if sql.startswith('SELECT "id", "order_id"') or WRITER in sql:
            seen.append(context["cursor"])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        redeem_result(counter, codes)
    assert len(seen) == 2 and seen[0] is seen[1]
    assert seen[0].cursor.closed


def _elsewhere(action) -> None:
    """`action` on another connection, committed before this returns (another till)."""

    def run():
        try:
            action()
        finally:
            connections.close_all()

    other = threading.Thread(target=run)
    other.start()
    other.join()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("taken_by", "problem"),
    [
        ("stop", "Ce chèque a été mis en opposition (perte ou vol)."),
        ("another till", "Ce chèque a déjà été utilisé."),
    ],
)
def test_a_voucher_taken_after_the_read_is_refused_by_the_writer(counter, issued, monkeypatch, taken_by, problem):
    """Our read found the three vouchers active; before our write, another connection stops one,
    or spends it at another till, and commits. The writer's conditional UPDATE finds it no longer
    active and raises: nothing of ours is written. The service reads again and names the refusal."""
    organisation, admin, place, workshop, short = counter
    codes = codes_of(issued(), 3)
    judge = redemption_module._judge
    judged = []

    def take():
        if taken_by == "stop":
            vouchers_stop(vouchers=Voucher.objects.filter(code=codes[1]), actor=admin, reason="Carnet volé")
        else:
            redemption_create(provider=organisation, place=place, offer=short, codes=[codes[1]], user=admin)

    ours = threading.current_thread()

    def judge_then_take(*args):
        judge(*args)
        if threading.current_thread() is not ours:  # the other till judges as usual
            return
        if not judged:
            _elsewhere(take)
        judged.append(1)

    monkeypatch.setattr(redemption_module, "_judge", judge_then_take)
    with writer_calls() as calls, pytest.raises(RedemptionRefused) as refused:
        redeem_result(counter, codes)
    assert calls == ["aptic_voucher_taken"]  # the first attempt, refused by the writer; the second judged
    assert len(judged) == 2
    assert [r.problem for r in refused.value.results] == ["", problem, ""]
    assert Redemption.objects.count() == (taken_by == "another till")
    assert set(Voucher.objects.filter(code__in=[codes[0], codes[2]]).values_list("status", flat=True)) == {"active"}
    assert not RedemptionLine.objects.filter(voucher__code__in=[codes[0], codes[2]]).exists()
