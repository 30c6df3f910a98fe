"""A redemption in one round trip once its vouchers' orders are known to pass here (redemption_fast,
ADR 0017): it writes what the usual path writes, and every refusal still comes from the usual path,
with nothing left behind by the attempt. PostgreSQL only (the SQL function)."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aptic.core.errors import DomainError
from aptic.core.generations import local_clear
from aptic.core.tests.factories import CommuneFactory
from aptic.ledger.invariants import checks
from aptic.ledger.models import Entry
from aptic.vouchers import codes as voucher_codes
from aptic.vouchers import redemption_fast as fast
from aptic.vouchers.caches import cached_rules_for
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.models import Redemption, Voucher, VoucherEvent
from aptic.vouchers.redemption import RedemptionRefused, _description, _reason, _setting
from aptic.vouchers.redemption_write import Till
from aptic.vouchers.rules import refusal

from .conftest import TODAY
from .test_redemption import codes_of, redeem, snapshot

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
]


def written(redemption) -> dict:
    """What a redemption wrote, without its ids and times."""
    row = Redemption.objects.get(pk=redemption.pk)
    posted = Entry.objects.filter(transaction__reference=f"redemption:{row.pk}").select_related("transaction")
    return {
        "redemption": (
            row.provider_id,
            row.place_id,
            row.offer_id,
            row.price_cents,
            row.covered_cents,
            row.remainder_cents,
            row.voucher_count,
            row.created_by_id,
            row.idempotency_key,
        ),
        "lines": sorted((line.voucher.order_id, line.amount_cents, line.is_cancelled) for line in row.lines.all()),
        "vouchers": sorted(Voucher.objects.filter(redemption=row).values_list("order_id", "status")),
        "events": sorted(
            VoucherEvent.objects.filter(redemption=row).values_list("from_status", "to_status", "actor_id", "reason")
        ),
        "ledger": sorted(
            (e.transaction.kind, e.transaction.description.replace(f"n° {row.pk} ", ""), e.account.code, e.amount_cents)
            for e in posted
        ),
    }


def breaches() -> list[str]:
    return [breach for check in checks() for breach in check()]


def statements(queries) -> list[str]:
    """The statements sent, less the savepoints of the test's own transaction."""
    return [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_once_an_order_passed_here_the_next_redemption_is_one_statement(
    counter, issued, django_capture_on_commit_callbacks
):
    order = issued()
    with django_capture_on_commit_callbacks(execute=True):  # account ids are remembered at commit
        first = redeem(counter, codes_of(order, 3))  # the usual path: read, judge, write; it learns the order
    typed = codes_of(order, 3, start=3)
    with CaptureQueriesContext(connection) as queries:
        second = redeem(counter, typed)
    assert [sql[:36] for sql in statements(queries)] == ["SELECT * FROM aptic_redemption_spend"]
    assert written(second) == written(first)
    assert second.voucher_serials == [v.serial for v in Voucher.objects.filter(code__in=typed).order_by("pk")]
    assert (second.covered_cents, second.remainder_cents, second.replayed) == (3000, 0, False)
    assert breaches() == []


def _learnt(counter, order):
    redeem(counter, codes_of(order, 1, start=19))  # the order is now known to pass here


def _stopped(counter, order, admin):
    vouchers_stop(vouchers=Voucher.objects.filter(code__in=codes_of(order, 1)), actor=admin, reason="Carnet volé")
    return codes_of(order, 3)


def _unknown(counter, order, admin):
    return [*codes_of(order, 2), voucher_codes.generate(1)[0]]


def _spent(counter, order, admin):
    redeem(counter, codes_of(order, 1))
    return codes_of(order, 3)


CASES = {
    "stopped": (_stopped, "Ce chèque a été mis en opposition (perte ou vol)."),
    "unknown code": (_unknown, "Ce code ne correspond à aucun chèque."),
    "already spent": (_spent, "Ce chèque a déjà été utilisé."),
}


@pytest.mark.parametrize("case", CASES)
def test_a_refusal_after_a_failed_attempt_is_the_usual_paths_with_nothing_written(counter, issued, case):
    organisation, admin, *_ = counter
    order = issued()
    _learnt(counter, order)
    prepare, problem = CASES[case]
    typed = prepare(counter, order, admin)
    before = snapshot()
    with CaptureQueriesContext(connection) as queries, pytest.raises(RedemptionRefused) as refused:
        redeem(counter, typed)
    assert any("aptic_redemption_spend" in sql for sql in statements(queries))  # tried in one trip first
    assert problem in [r.problem for r in refused.value.results]
    assert snapshot() == before
    assert breaches() == []


def test_an_order_not_known_here_is_judged_by_the_usual_path(counter, issued):
    known, other, elsewhere = issued(), issued(), issued()
    elsewhere.rule_communes.set([CommuneFactory(insee_code="69123", name="Lyon")])
    _learnt(counter, known)
    before = snapshot()
    with pytest.raises(RedemptionRefused) as refused:
        redeem(counter, [*codes_of(known, 2), *codes_of(elsewhere, 1)])
    assert refused.value.results[2].problem == "Ce chèque n'est pas utilisable dans la commune de Saint-Étienne."
    assert snapshot() == before
    # An order that passes but was never seen here: spent by the usual path, then known.
    assert redeem(counter, [*codes_of(known, 2), *codes_of(other, 1)]).voucher_count == 3
    typed = [*codes_of(known, 1, start=2), *codes_of(other, 2, start=1)]
    with CaptureQueriesContext(connection) as queries:
        redeem(counter, typed)
    assert [sql[:36] for sql in statements(queries) if "ledger_account" not in sql] == [
        "SELECT * FROM aptic_redemption_spend"
    ]


def test_the_per_act_maximum_and_the_no_change_rule_are_kept(counter, issued):
    order = issued(max_vouchers_per_act=2)
    _learnt(counter, order)
    with pytest.raises(RedemptionRefused) as refused:
        redeem(counter, codes_of(order, 3))
    assert "Au plus 2 chèques de ce commanditaire" in refused.value.results[0].problem
    plain = issued()
    _learnt(counter, plain)
    with pytest.raises(RedemptionRefused, match="Trop de chèques : 3 suffisent") as refused:
        redeem(counter, codes_of(plain, 4))  # 40 € for a 25 € workshop
    assert refused.value.code == "too_many_vouchers"
    assert Redemption.objects.count() == 2 and breaches() == []


def test_a_retried_key_is_answered_with_the_first_redemption(counter, issued):
    order = issued()
    _learnt(counter, order)
    typed = codes_of(order, 3)
    first = redeem(counter, typed, idempotency_key="caisse-1")
    again = redeem(counter, typed, idempotency_key="caisse-1")
    assert (again.pk, again.replayed, first.replayed) == (first.pk, True, False)
    with pytest.raises(DomainError) as conflict:
        redeem(counter, codes_of(order, 3, start=3), idempotency_key="caisse-1")
    assert conflict.value.code == "idempotency_conflict"
    assert Redemption.objects.filter(idempotency_key="caisse-1").count() == 1
    assert Voucher.objects.filter(code__in=codes_of(order, 3, start=3), status="active").count() == 3


def test_an_order_edited_after_it_was_learnt_is_judged_afresh(counter, issued):
    """What the counter learnt of an order (here its maximum per act) is forgotten when the order
    is saved: the next redemption reads it again."""
    order = issued()
    _learnt(counter, order)
    order.max_vouchers_per_act = 1
    order.save()
    before = snapshot()
    with pytest.raises(RedemptionRefused) as refused:
        redeem(counter, codes_of(order, 2))
    assert "Au plus 1 chèque de ce commanditaire" in refused.value.results[0].problem
    assert snapshot() == before


# Both paths, from the same rows, on random orders and counters: the one-trip write succeeds exactly
# when the usual path does, and then writes the same rows.
FACES = st.sampled_from([500, 1000, 2000])
ORDER = st.fixed_dictionaries(
    {
        "face_value_cents": FACES,
        "max_vouchers_per_act": st.sampled_from([None, None, 1, 2]),
        "where": st.sampled_from(["anywhere", "anywhere", "here", "elsewhere"]),
        "stopped": st.sampled_from([False, False, False, True]),
    }
)


def _outcome(attempt):
    with transaction.atomic():
        try:
            redemption = attempt()
        except RedemptionRefused as exc:
            outcome = ("refused", exc.message)
        except fast.NotFast:
            outcome = ("not fast", None)
        else:
            outcome = ("spent", written(redemption))
        transaction.set_rollback(True)
    cache.clear()
    local_clear()
    return outcome


def _taught(setting, orders) -> fast.Known:
    """The counter's memory for this setting once it has learnt these orders, read back through
    the cache as a till would read it."""
    fast.known_orders(setting).learn(orders)
    known = fast.known_orders(setting)
    assert set(known.orders) == {order.pk for order in orders}
    return known


PRICES = st.sampled_from([500, 1500, 2500, 4000, 6000])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=st.lists(ORDER, min_size=1, max_size=3), picks=st.data(), price=PRICES)
def test_both_paths_agree(counter, issued, orders, picks, price):
    organisation, admin, place, workshop, _ = counter
    with transaction.atomic():
        workshop.price_cents = price
        workshop.save()
        lyon = CommuneFactory(insee_code="69123", name="Lyon")
        made, typed = [], []
        for spec in orders:
            order = issued(quantity=10, face_value_cents=spec["face_value_cents"])
            order.max_vouchers_per_act = spec["max_vouchers_per_act"]
            order.save()
            if spec["where"] != "anywhere":
                order.rule_communes.set([place.commune if spec["where"] == "here" else lyon])
            if spec["stopped"]:
                vouchers_stop(vouchers=Voucher.objects.filter(order=order, sequence=1), actor=admin, reason="Vol")
            made.append(order)
            typed += codes_of(order, picks.draw(st.integers(1, 2)))
        setting = _setting(place, workshop, TODAY)
        rules = cached_rules_for(made)
        passing = [order for order in made if refusal(rules[order.pk], setting) is None]
        usual = _outcome(lambda: redeem(counter, typed))
        one_trip = _outcome(
            lambda: fast.spend(
                till=Till(organisation, place, workshop, admin, "", timezone.now()),
                codes=typed,
                known=_taught(setting, passing),
                reason=_reason(workshop),
                description=_description(organisation, len(typed)),
            )
        )
        if usual[0] == "spent":
            assert one_trip == usual
        else:
            assert one_trip == ("not fast", None)
        transaction.set_rollback(True)
