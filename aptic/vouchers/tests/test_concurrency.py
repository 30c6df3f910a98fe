"""64 counters try to spend the same voucher at the same instant, each on its own connection:
exactly one succeeds. PostgreSQL only (SQLite serialises writers by design)."""

import threading
import time

import pytest
from django.db import connection, connections

from aptic.vouchers.models import Redemption, RedemptionLine, Voucher
from aptic.vouchers.redemption import RedemptionRefused, redemption_create

ATTEMPTS = 64

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and real connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_64_simultaneous_redemptions_of_one_voucher_give_one_success(counter, issued):
    organisation, admin, place, workshop, short = counter
    order = issued(quantity=10)
    code = Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)[0]
    start = threading.Barrier(ATTEMPTS)
    outcomes = []
    lock = threading.Lock()

    def attempt():
        try:
            start.wait()
            redemption_create(provider=organisation, place=place, offer=short, codes=[code], user=admin)
            outcome = "ok"
        except RedemptionRefused as exc:
            outcome = "refused: " + " ".join(r.problem for r in exc.results) or exc.message
        except Exception as exc:  # noqa: BLE001 (any other failure must show in the assertion)
            outcome = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == ATTEMPTS
    assert outcomes.count("ok") == 1, sorted(set(outcomes))
    assert all(o == "ok" or "déjà été utilisé" in o for o in outcomes), sorted(set(outcomes))
    assert Redemption.objects.count() == 1
    assert RedemptionLine.objects.filter(is_cancelled=False, voucher__code=code).count() == 1
    assert Voucher.objects.get(code=code).status == "redeemed"


HOLD_THE_KEY = """
CREATE FUNCTION test_hold_the_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.idempotency_key = 'caisse-lente' THEN PERFORM pg_sleep(1.5); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER test_hold_the_key AFTER INSERT ON vouchers_redemption
    FOR EACH ROW EXECUTE FUNCTION test_hold_the_key();
"""


def test_twins_queue_on_their_key_and_the_second_is_replayed(counter, issued):
    """A till's request holds its idempotency key (slowed down here by a trigger, before it flips
    the voucher) and the same request is sent again. The writer takes the key before the vouchers,
    so the twin waits for the first and is answered with its redemption, instead of a deadlock (a 500)."""
    organisation, admin, place, workshop, short = counter
    order = issued(quantity=10)
    code = Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)[0]
    with connection.cursor() as cursor:
        cursor.execute(HOLD_THE_KEY)
    answers = {}

    def send(name):
        try:
            key = "caisse-lente"
            made = redemption_create(
                provider=organisation, place=place, offer=short, codes=[code], user=admin, idempotency_key=key
            )
            answers[name] = (made.redemption.pk, made.replayed)
        except Exception as exc:  # noqa: BLE001 (any failure must show in the assertion)
            answers[name] = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    try:
        first = threading.Thread(target=send, args=("first",))
        first.start()
        time.sleep(0.5)  # the first request now holds the key, before its vouchers
        assert first.is_alive()  # still holding the key
        twin = threading.Thread(target=send, args=("twin",))
        twin.start()
        first.join(timeout=60)
        twin.join(timeout=60)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_hold_the_key ON vouchers_redemption; DROP FUNCTION test_hold_the_key()")
    assert isinstance(answers["first"], tuple), answers
    assert answers["twin"] == (answers["first"][0], True), answers
    assert Redemption.objects.filter(idempotency_key="caisse-lente").count() == 1
