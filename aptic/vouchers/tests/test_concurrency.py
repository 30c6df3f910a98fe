"""64 counters try to spend the same voucher at the same instant, each on its own connection:
exactly one succeeds. PostgreSQL only (SQLite serialises writers by design)."""

import threading

import pytest
from django.db import connection, connections

from aptic.vouchers import redemption_fast as fast
from aptic.vouchers.models import Redemption, RedemptionLine, Voucher
from aptic.vouchers.redemption import RedemptionRefused, redemption_create

ATTEMPTS = 64

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and real connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


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
    assert len(spent_in_one_trip) == (path == "one trip")
    assert Redemption.objects.count() == 1 + (path == "one trip")
    assert RedemptionLine.objects.filter(is_cancelled=False, voucher__code=code).count() == 1
    assert Voucher.objects.get(code=code).status == "redeemed"
