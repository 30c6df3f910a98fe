"""64 counters try to spend the same voucher at the same instant, each on its own connection:
exactly one succeeds. PostgreSQL only (SQLite serialises writers by design)."""

import threading
import time

import pytest
from django.db import connection, connections

from aptic.core.tests.race import race
from aptic.vouchers import redemption_fast as fast
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


@pytest.mark.parametrize("path", ["usual", "one trip"])
def test_64_simultaneous_redemptions_of_one_voucher_give_one_success(counter, issued, path, monkeypatch):
    """The usual path (read, judge, write) for an order not yet seen at the counter; one trip
    (redemption_fast) once a first redemption has taught the counter that the order passes here."""
    organisation, admin, place, workshop, short = counter
    order = issued(quantity=10)
    code, other = Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)[:2]
    if path == "one trip":
        redemption_create(provider=organisation, place=place, offer=short, codes=[other], user=admin)
    spent_in_one_trip = []
    spend = fast.spend

    def counted(**kwargs):
        redemption = spend(**kwargs)
        spent_in_one_trip.append(redemption.pk)
        return redemption

    monkeypatch.setattr(fast, "spend", counted)

    def attempt():
        return redemption_create(provider=organisation, place=place, offer=short, codes=[code], user=admin)

    outcomes = [said(outcome) for outcome in race(*[attempt] * ATTEMPTS)]
    assert outcomes.count("ok") == 1, sorted(set(outcomes))
    assert all(o == "ok" or "déjà été utilisé" in o for o in outcomes), sorted(set(outcomes))
    assert len(spent_in_one_trip) == (path == "one trip")
    assert Redemption.objects.count() == 1 + (path == "one trip")
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


def test_twins_on_the_two_paths_queue_on_their_key_and_the_second_is_replayed(counter, issued, monkeypatch):
    """A till's request takes the usual path and holds its idempotency key (slowed down here by a
    trigger, before it flips the voucher); meanwhile the counter learns the order, and the same
    request sent again goes in one trip. Both writers take the key before the vouchers, so the twin
    waits for the first and is answered with its redemption, instead of a deadlock (a 500)."""
    organisation, admin, place, workshop, short = counter
    order = issued(quantity=10)
    code, other = Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)[:2]
    tried_in_one_trip = []
    spend = fast.spend

    def counted(**kwargs):
        tried_in_one_trip.append(1)
        return spend(**kwargs)

    monkeypatch.setattr(fast, "spend", counted)
    with connection.cursor() as cursor:
        cursor.execute(HOLD_THE_KEY)
    answers = {}

    def send(name):
        try:
            key = "caisse-lente"
            redemption = redemption_create(
                provider=organisation, place=place, offer=short, codes=[code], user=admin, idempotency_key=key
            )
            answers[name] = (redemption.pk, redemption.replayed)
        except Exception as exc:  # noqa: BLE001 (any failure must show in the assertion)
            answers[name] = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    try:
        first = threading.Thread(target=send, args=("first",))
        first.start()
        time.sleep(0.5)  # the first request now holds the key, before its vouchers
        redemption_create(provider=organisation, place=place, offer=short, codes=[other], user=admin)  # learns
        assert first.is_alive()  # still holding the key
        twin = threading.Thread(target=send, args=("twin",))
        twin.start()
        first.join(timeout=60)
        twin.join(timeout=60)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER test_hold_the_key ON vouchers_redemption; DROP FUNCTION test_hold_the_key()")
    assert tried_in_one_trip == [1]
    assert isinstance(answers["first"], tuple), answers
    assert answers["twin"] == (answers["first"][0], True), answers
    assert Redemption.objects.filter(idempotency_key="caisse-lente").count() == 1
