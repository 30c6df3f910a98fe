"""64 counters try to spend the same voucher at the same instant, each on its own connection:
exactly one succeeds; twins of one request queue on their key. PostgreSQL only (SQLite serialises
writers by design)."""

import threading
import time

import pytest
from django.db import connection, connections

from aptic.core.tests.race import TIMEOUT, race, wait_until
from aptic.vouchers.models import Redemption, RedemptionLine, Voucher
from aptic.vouchers.redemption import RedemptionRefused, redemption_create

ATTEMPTS = 64

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def said(outcome) -> str:
    if isinstance(outcome, RedemptionRefused):
        return "refused: " + " ".join(r.problem for r in outcome.results) or outcome.message
    if isinstance(outcome, Exception):  # any other failure must show in the assertion
        return f"error: {type(outcome).__name__}: {outcome}"
    return "ok"


def test_64_simultaneous_redemptions_of_one_voucher_give_one_success(counter, issued):
    organisation, admin, place, workshop, short = counter
    order = issued(quantity=10)
    code = Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)[0]

    def attempt():
        return redemption_create(provider=organisation, place=place, offer=short, codes=[code], user=admin)

    outcomes = [said(outcome) for outcome in race(*[attempt] * ATTEMPTS)]
    assert outcomes.count("ok") == 1, sorted(set(outcomes))
    assert all(o == "ok" or "déjà été utilisé" in o for o in outcomes), sorted(set(outcomes))
    assert Redemption.objects.count() == 1
    assert RedemptionLine.objects.filter(is_cancelled=False, voucher__code=code).count() == 1
    assert Voucher.objects.get(code=code).status == "redeemed"


HELD = 0x_A9_7157  # the advisory lock the test holds while the first request holds its key
HOLD_THE_KEY = f"""
CREATE FUNCTION test_hold_the_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.idempotency_key = 'caisse-lente' THEN
        PERFORM pg_advisory_lock_shared({HELD});
        PERFORM pg_advisory_unlock_shared({HELD});
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER test_hold_the_key AFTER INSERT ON vouchers_redemption
    FOR EACH ROW EXECUTE FUNCTION test_hold_the_key();
"""


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_twins_queue_on_their_key_and_the_second_is_replayed(counter, issued):
    """A till's request holds its idempotency key (kept there by a trigger waiting on a lock the
    test holds, before the voucher flips) and the same request is sent again. The writer takes the
    key before the vouchers, so the twin waits for the first and is answered with its redemption,
    instead of a deadlock (a 500)."""
    organisation, admin, place, workshop, short = counter
    order = issued(quantity=10)
    code = Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)[0]
    with connection.cursor() as cursor:
        cursor.execute(HOLD_THE_KEY)
        cursor.execute("SELECT pg_advisory_lock(%s)", [HELD])
    answers = {}

    def send(name):
        try:
            made = redemption_create(
                provider=organisation,
                place=place,
                offer=short,
                codes=[code],
                user=admin,
                idempotency_key="caisse-lente",
            )
            answers[name] = (made.redemption.pk, made.replayed)
        except Exception as exc:  # noqa: BLE001 (any failure must show in the assertion)
            answers[name] = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    deadline = time.monotonic() + TIMEOUT
    first = threading.Thread(target=send, args=("first",), daemon=True)
    twin = threading.Thread(target=send, args=("twin",), daemon=True)
    released = False
    try:
        first.start()
        # The first request holds the key: its trigger waits on the test's lock.
        wait_until(
            lambda: (
                _count(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = "
                    f"{HELD & 0xFFFFFFFF} AND NOT granted"
                )
                == 1
            ),
            deadline=deadline,
            what="the first request never reached its key",
        )
        twin.start()
        # The twin waits on the first's uncommitted key (a transaction lock), not on the test's lock.
        wait_until(
            lambda: _count("SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted") == 1,
            deadline=deadline,
            what="the twin never queued on the key",
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [HELD])
        released = True
        first.join(timeout=max(0.0, deadline - time.monotonic()))
        twin.join(timeout=max(0.0, deadline - time.monotonic()))
        assert not first.is_alive() and not twin.is_alive(), "a request never finished"
    finally:
        with connection.cursor() as cursor:
            if not released:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [HELD])
            cursor.execute("DROP TRIGGER test_hold_the_key ON vouchers_redemption; DROP FUNCTION test_hold_the_key()")
    assert isinstance(answers["first"], tuple), answers
    assert answers["twin"] == (answers["first"][0], True), answers
    assert Redemption.objects.filter(idempotency_key="caisse-lente").count() == 1
