"""The usage rate's cohorts (ADR 0055): the uses by the day of the vouchers' handout, read from
rollups kept by the refresh, answer as a plain count over the daily facts would."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aptic.reporting import selectors
from aptic.reporting.cohort import handed_out_then_used
from aptic.reporting.models import COHORTS, DIMENSIONS, MEASURES, UsageCohortDaily, UsageDaily
from aptic.reporting.selectors import usage_by_handout
from aptic.reporting.services import rollups_rebuild
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (a fixture of world)

from .test_usage import BOUND_DAYS, FACT, VALUES, refresh_settled, spend, world  # noqa: F401 (world: a fixture)


def counted(facts, group_by, filters):
    """The independent answer: the daily facts with a known handout, by handout day, in Python."""
    found = {}
    for fact in facts:
        if fact["delay_days"] < 0:
            continue
        row = fact | {"day": fact["day"] - datetime.timedelta(days=fact["delay_days"])}
        if all(_keeps(row, lookup, value) for lookup, value in filters.items()):
            key = tuple(row[name] for name in group_by)
            found[key] = found.get(key, 0) + fact["used"]
    return found


def _keeps(row, lookup, value):
    name, _, kind = lookup.partition("__")
    have = row[name]
    return {
        "": lambda: have == value,
        "in": lambda: have in value,
        "gte": lambda: have >= value,
        "gt": lambda: have > value,
        "lte": lambda: have <= value,
        "lt": lambda: have < value,
    }[kind]()


COHORT_DIMENSIONS = [d for d in UsageCohortDaily.DIMENSIONS if d != "day"]


@st.composite
def cohort_queries(draw):
    # Mostly the cohorts' own dimensions (read from them), sometimes another (read from UsageDaily).
    names = draw(st.sampled_from([COHORT_DIMENSIONS, [d for d in DIMENSIONS if d not in ("day", "delay_days")]]))
    group_by = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    filters = {}
    for name in draw(st.lists(st.sampled_from(names), max_size=2, unique=True)):
        if draw(st.booleans()):
            filters[name] = draw(VALUES[name])
        else:
            filters[f"{name}__in"] = draw(st.lists(VALUES[name], max_size=2))
    for lookup in draw(st.lists(st.sampled_from(["day__gte", "day__gt", "day__lte", "day__lt"]), max_size=2)):
        filters[lookup] = draw(BOUND_DAYS)
    return group_by, filters


@pytest.mark.django_db
def test_the_cohorts_answer_as_counting_the_daily_facts_by_handout_day():
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(facts=st.lists(FACT, max_size=40), asked=st.lists(cohort_queries(), min_size=1, max_size=6))
    def check(facts, asked):
        with transaction.atomic():
            unique = list({tuple(f[d] for d in DIMENSIONS): f for f in facts}.values())
            UsageDaily.objects.bulk_create([UsageDaily(**f) for f in unique])
            rollups_rebuild()
            for group_by, filters in asked:
                rows = usage_by_handout(group_by=group_by, **filters)
                found = {tuple(r[name] for name in group_by): r["used"] for r in rows if r["used"]}
                expected = {k: n for k, n in counted(unique, group_by, filters).items() if n}
                assert found == expected, (group_by, filters)
            transaction.set_rollback(True)

    check()


@pytest.mark.django_db
def test_the_refresh_folds_the_cohorts_as_rebuilding_them_would(world, funder):  # noqa: F811
    spend(world, 1, 2)  # booklet 1, handed out to a senior 5 days ago
    spend(world, 11)  # booklet 2: shipped, never handed out: no cohort
    refresh_settled()
    folded = {model: sorted(model.objects.values_list(*model.DIMENSIONS, *MEASURES)) for model in COHORTS}
    handed = timezone.localdate() - datetime.timedelta(days=5)
    (row,) = UsageCohortDaily.objects.all()
    assert (row.day, row.funder_id, row.public, row.used) == (handed, funder.pk, "senior", 2)
    rollups_rebuild()
    assert {model: sorted(model.objects.values_list(*model.DIMENSIONS, *MEASURES)) for model in COHORTS} == folded


@pytest.mark.django_db
@pytest.mark.parametrize("in_snapshot", [False, True])
def test_a_use_counts_in_its_handouts_period_before_and_after_the_refresh(world, funder, in_snapshot):  # noqa: F811
    """From the live tail, then from the cohorts: the same rates, in a snapshot (a page) or not."""
    today = timezone.localdate()
    handed = today - datetime.timedelta(days=5)
    scope = {"funder_id": funder.pk}

    def rates():
        with selectors.usage_snapshot() if in_snapshot else transaction.atomic():
            return [
                handed_out_then_used(scope, handed, today, ("public",)),
                handed_out_then_used(scope, None, today, ("distributor_id", "public")),
                handed_out_then_used(scope, handed + datetime.timedelta(days=1), today),  # after its handout
                handed_out_then_used(scope, handed, handed, ("public",)),  # the handout's day only
                # Another dimension than the cohorts': read from the daily facts by handout day.
                handed_out_then_used({**scope, "category_id": world["category"].pk}, handed, today, ("public",)),
            ]

    spend(world, 1, 2)
    distributor = world["distributor"].pk
    expected = [{("senior",): 2}, {(distributor, "senior"): 2}, {}, {("senior",): 2}, {("senior",): 2}]
    assert rates() == expected  # the live tail
    refresh_settled()
    assert rates() == expected  # the rollups
    spend(world, 3)
    expected = [{("senior",): 3}, {(distributor, "senior"): 3}, {}, {("senior",): 3}, {("senior",): 3}]
    assert rates() == expected  # both


@pytest.mark.django_db
def test_a_year_of_rates_reads_the_cohorts_not_the_daily_facts(world, funder):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    spend(world, 1)
    refresh_settled()
    with CaptureQueriesContext(connection) as captured:
        handed_out_then_used({"funder_id": funder.pk}, datetime.date(2026, 1, 1), timezone.localdate(), ("public",))
    tables = " ".join(q["sql"] for q in captured.captured_queries)
    assert "reporting_usagecohort" in tables
    assert "reporting_usagedaily" not in tables


@pytest.mark.django_db
def test_the_migration_fills_the_cohorts_from_the_daily_rollup():
    """A deployment with folded history: the migration's SQL sums the cohorts as a rebuild would.
    Its function is run alone (migrating back and forth in a test leaves PostgreSQL's content types
    behind for the transactional tests that follow)."""
    import importlib
    import types

    from django.db import connection

    backfill = importlib.import_module("aptic.reporting.migrations.0004_cohorts").backfill
    facts = [
        {"day": datetime.date(2026, 3, 10), "delay_days": 12, "public": "senior", "used": 2},
        {"day": datetime.date(2026, 3, 10), "delay_days": 40, "public": "senior", "used": 1},
        {"day": datetime.date(2026, 4, 2), "delay_days": 0, "public": "young", "used": 3},
        {"day": datetime.date(2026, 4, 2), "delay_days": -1, "public": "", "used": 5},
    ]
    UsageDaily.objects.bulk_create([UsageDaily(funder_id=1, order_id=1, distributor_id=5, **f) for f in facts])
    with connection.cursor() as cursor:
        backfill(None, types.SimpleNamespace(connection=connection, execute=cursor.execute))
    folded = {model: sorted(model.objects.values_list(*model.DIMENSIONS, "used")) for model in COHORTS}
    assert folded[UsageCohortDaily] == [
        (datetime.date(2026, 1, 29), 1, 1, 5, "senior", 1),
        (datetime.date(2026, 2, 26), 1, 1, 5, "senior", 2),
        (datetime.date(2026, 4, 2), 1, 1, 5, "young", 3),
    ]
    rollups_rebuild()
    assert {model: sorted(model.objects.values_list(*model.DIMENSIONS, "used")) for model in COHORTS} == folded


@pytest.mark.django_db
def test_since_the_start_a_page_reads_its_orders_with_its_uses():
    """Since the start, the dashboard takes the vouchers used per order (the rate of the vouchers
    bought) from its uses' statement (ADR 0061): the same figure as reading it on its own."""
    from aptic.reporting.cohort import used_of_orders
    from aptic.reporting.dashboard import Measures
    from aptic.reporting.filters import Filters

    place_filters = st.fixed_dictionaries(
        {},
        optional={
            "commune": VALUES["commune"],
            "departement": VALUES["departement"],
            "category": VALUES["category_id"],
            "public": VALUES["public"],
            "distributor": VALUES["distributor_id"],
            "orders": st.lists(VALUES["order_id"], max_size=2).map(tuple),
        },
    )

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(facts=st.lists(FACT, max_size=40), chosen=place_filters, orders=st.lists(VALUES["order_id"], max_size=2))
    def check(facts, chosen, orders):
        with transaction.atomic():
            unique = {tuple(f[d] for d in DIMENSIONS): f for f in facts}
            UsageDaily.objects.bulk_create([UsageDaily(**f) for f in unique.values()])
            rollups_rebuild()
            m = Measures({"funder_id": 1}, Filters(period="tout", **chosen))
            assert m.by_order is not None
            if chosen.get("orders"):
                orders = [o for o in orders if o in chosen["orders"]]  # the page's orders are among those ticked
            assert m.used_of_orders(orders) == used_of_orders(m.uses, orders)
            transaction.set_rollback(True)

    check()
