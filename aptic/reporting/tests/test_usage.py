"""Usage facts (ADR 0035): every use, handout, shipment, expiry and stop reaches the figures at
once through the live tail, and the rollups through the periodic refresh, each exactly once."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.distribution.shipments import booklet_hand_out, shipment_create
from aptic.jobs.schedule import frequent_tick
from aptic.printing.models import PrintRelease
from aptic.reporting import selectors, services
from aptic.reporting.models import DIMENSIONS, MEASURES, ROLLUPS, UsageDaily, Watermark
from aptic.reporting.selectors import median_delay, usage, usage_median_delay, usage_sets, usage_totals
from aptic.reporting.services import rollups_rebuild, usage_refresh
from aptic.vouchers.lifecycle import order_expire, vouchers_reimburse, vouchers_reimbursement_reverse, vouchers_stop
from aptic.vouchers.models import Voucher, VoucherEvent
from aptic.vouchers.redemption import redemption_cancel, redemption_create
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (the counter's world, a fixture)
from aptic.vouchers.tests.test_views_support import issue


def voucher(order, sequence):
    return Voucher.objects.get(order=order, sequence=sequence)


@pytest.fixture
def world(vocabulary, counter, funder, staff):  # noqa: F811 (counter: the imported fixture)
    """The counter's world (a labelled fablab in Saint-Étienne, a 25 € workshop), an order of 40
    vouchers of 10 €, booklets 1-3 shipped to a distributor, booklet 1 handed out to a senior."""
    provider, cashier, place, offer, _ = counter
    distributor = OrganisationFactory(kind="distributor", name="Maison France Services")
    member = MembershipFactory(organisation=distributor, role="member").user
    order = issue(funder, quantity=40)
    PrintRelease.objects.create(order=order, reason="paid", released_by=staff)
    today = timezone.localdate()
    shipment_create(
        order=order, recipient=distributor, ranges=[(1, 3)], shipped_on=today - datetime.timedelta(10), user=staff
    )
    booklet_hand_out(
        organisation=distributor,
        order_id=order.pk,
        number=1,
        category="senior",
        user=member,
        day=today - datetime.timedelta(5),
    )
    return {
        "provider": provider,
        "cashier": cashier,
        "place": place,
        "offer": offer,
        "category": offer.category,
        "typology": place.typologies.get(),
        "commune": place.commune,
        "distributor": distributor,
        "order": order,
    }


def spend(world, *sequences):
    codes = [voucher(world["order"], s).code for s in sequences]
    return redemption_create(
        provider=world["provider"], place=world["place"], offer=world["offer"], codes=codes, user=world["cashier"]
    ).redemption


def refresh_settled():
    """Two refreshes a moment apart: on PostgreSQL the first notes the bound, the second folds."""
    usage_refresh()
    return usage_refresh(until=timezone.now() + 2 * services.SETTLE)


def rollups(**filters):
    rows = UsageDaily.objects.filter(**filters)
    return {m: sum(getattr(r, m) for r in rows) for m in MEASURES}


def coarse_rollups():
    fields = [*MEASURES]
    return {
        model.__name__: sorted(model.objects.values_list(*model.DIMENSIONS, *fields))
        for model in ROLLUPS
        if model is not UsageDaily
    }


@pytest.mark.django_db
def test_a_catch_up_goes_over_several_short_refreshes(world, funder, staff, monkeypatch):
    """SQLite has one write lock, which a redemption waits for: each refresh folds a bounded slice
    of every source (here 1 id), the live tail covers the rest, and nothing counts twice."""
    moment = [timezone.now()]

    def refresh():
        moment[0] += 2 * services.SETTLE  # PostgreSQL folds a bound once it has settled
        usage_refresh(until=moment[0])

    refresh_settled()  # the world as the fixtures left it, folded at once
    refresh()
    monkeypatch.setattr(services, "PASS", {connection.vendor: 1})
    spend(world, 1, 2)
    vouchers_stop(vouchers=[voucher(world["order"], 15)], actor=staff, reason="perte")
    expected = usage_totals(funder_id=funder.pk)
    last = VoucherEvent.objects.order_by("-pk").first().pk
    # One row a refresh, every other refresh on PostgreSQL (a bound settles first). Rows, not ids:
    # other tests' rolled-back rows leave gaps in the ids.
    budget = 2 * VoucherEvent.objects.filter(pk__gt=Watermark.objects.get(source="voucher_event").last_id).count() + 2
    passes = 0
    while Watermark.objects.get(source="voucher_event").last_id < last:
        passes += 1
        assert passes <= budget, "the catch-up never ended"
        before = dict(Watermark.objects.values_list("source", "last_id"))
        refresh()
        after = dict(Watermark.objects.values_list("source", "last_id"))
        for source, (model, _) in services.SOURCES.items():  # one row at most a refresh
            assert model.objects.filter(pk__gt=before[source], pk__lte=after[source]).count() <= 1, source
        assert usage_totals(funder_id=funder.pk) == expected
    assert passes >= 3  # the two uses and the stop, one refresh each at least
    assert rollups(funder_id=funder.pk) == expected


@pytest.mark.django_db
def test_every_kind_of_event_counts_at_once_then_in_the_rollups_once(world, funder, staff):
    order, distributor = world["order"], world["distributor"]
    spend(world, 1, 2)  # 2 vouchers of booklet 1 (handed out to a senior 5 days ago) pay 25 €
    redemption_cancel(redemption=spend(world, 3), user=world["cashier"], reason="erreur de saisie")
    vouchers_stop(vouchers=[voucher(order, 15)], actor=staff, reason="perte")  # booklet 2: shipped only
    past = timezone.localdate() - datetime.timedelta(days=400)
    ended = issue(funder, quantity=10, valid_from=past, valid_until=past, grace_until=past)
    order_expire(order=ended, day=timezone.localdate())
    expected = {
        "used": 2,
        "used_cents": 2000,
        "services": 1,
        "price_cents": 2500,
        "on_top_cents": 500,
        "handed_out": 10,
        "shipped": 30,
        "expired": 10,
        "stopped": 1,
    }
    # Before any refresh: all of it from the live tail.
    assert not UsageDaily.objects.exists()
    assert usage_totals(funder_id=funder.pk) == expected

    refresh_settled()
    assert rollups(funder_id=funder.pk) == expected
    assert usage_totals(funder_id=funder.pk) == expected
    marks = dict(Watermark.objects.values_list("source", "last_id"))
    assert marks["voucher_event"] == VoucherEvent.objects.order_by("-pk").first().pk
    refresh_settled()  # again: nothing new, nothing counted twice
    assert rollups(funder_id=funder.pk) == expected
    # Every coarser rollup, folded with the daily one, holds what summing the daily one gives.
    folded = coarse_rollups()
    assert folded and all(folded.values())
    rollups_rebuild()
    assert coarse_rollups() == folded

    # The dimensions of a use: the place's commune and its territories, category, typology, the
    # handout's distributor and public, the days from handout to use.
    dimensions = ["day", "order_id", "place_id", "category_id", "typology_id", "commune", "departement", "region"]
    dimensions += ["distributor_id", "public", "delay_days"]
    (use,) = [row for row in usage(group_by=dimensions) if row["used"]]
    commune = world["commune"]
    assert use["day"] == timezone.localdate() and use["order_id"] == order.pk
    assert (use["place_id"], use["category_id"], use["typology_id"]) == (
        world["place"].pk,
        world["category"].pk,
        world["typology"].pk,
    )
    assert (use["commune"], use["departement"], use["region"]) == (
        commune.pk,
        commune.departement_id,
        commune.region_id,
    )
    assert (use["distributor_id"], use["public"], use["delay_days"]) == (distributor.pk, "senior", 5)
    assert usage_median_delay(funder_id=funder.pk) == 5
    by_public = {r["public"]: r for r in usage(group_by=["public"], funder_id=funder.pk)}
    assert by_public["senior"]["used"] == 2 and by_public["senior"]["handed_out"] == 10
    assert by_public[""]["shipped"] == 30 and by_public[""]["stopped"] == 1
    assert (
        usage(group_by=["distributor_id"], distributor_id=distributor.pk, day__gte=timezone.localdate())[0]["used"] == 2
    )


@pytest.mark.django_db
def test_a_funder_never_counts_another_funders_uses_at_the_same_place(world, funder):
    other = OrganisationFactory(kind="funder", name="Autre département")
    theirs = issue(other, quantity=10)
    spend(world, 1)
    redemption_create(
        provider=world["provider"],
        place=world["place"],
        offer=world["offer"],
        codes=[voucher(theirs, 1).code, voucher(theirs, 2).code, voucher(theirs, 3).code],
        user=world["cashier"],
    )
    for _ in range(2):
        assert usage_totals(funder_id=funder.pk)["used"] == 1
        assert usage_totals(funder_id=other.pk)["used"] == 3
        assert usage_totals(place_id=world["place"].pk)["used"] == 4
        refresh_settled()


@pytest.mark.django_db
def test_a_use_at_the_counter_reaches_the_rollups_through_the_periodic_work(client, world, funder, monkeypatch):
    """Two ticks of the frequent work (30 s apart in production, so within 60 s) fold a use made at
    the counter; the test does not wait for the second's settling moment."""
    monkeypatch.setattr(services, "SETTLE", datetime.timedelta(0))
    client.force_login(world["cashier"])
    response = client.post(
        reverse("vouchers:counter", kwargs={"org_slug": world["provider"].slug}),
        {
            "lieu": world["place"].pk,
            "service": world["offer"].pk,
            "code": [voucher(world["order"], 4).code],
            "action": "encaisser",
        },
    )
    assert response.status_code in (200, 302)
    assert rollups(funder_id=funder.pk)["used"] == 0
    assert usage_totals(funder_id=funder.pk)["used"] == 1  # the live tail, at once
    frequent_tick()
    frequent_tick()
    assert rollups(funder_id=funder.pk)["used"] == 1
    assert usage_totals(funder_id=funder.pk)["used"] == 1


def test_unknown_dimensions_and_filters_are_refused():
    with pytest.raises(ValueError):
        usage(group_by=["password"])
    with pytest.raises(ValueError):
        usage(funder_id__regex=".*")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lower_id_committed_after_a_higher_one_is_folded_once(world, funder, staff):
    """PostgreSQL hands out ids before commit: a transaction holding a lower id may commit after a
    higher one was folded past. The refresh waits for it, the tail shows what is committed."""
    order = world["order"]
    holding, release = threading.Event(), threading.Event()

    def slow_stop():
        try:
            with transaction.atomic():
                vouchers_stop(vouchers=[voucher(order, 21)], actor=staff, reason="perte")
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_stop)
    thread.start()
    try:
        assert holding.wait(30)
        vouchers_stop(vouchers=[voucher(order, 22)], actor=staff, reason="vol")  # a higher id, committed
        refresh_settled()
        refresh_settled()
        held_mark = Watermark.objects.get(source="voucher_event").last_id
        assert usage_totals(funder_id=funder.pk)["stopped"] == 1
    finally:
        release.set()
        thread.join(30)
    slow_id, fast_id = (VoucherEvent.objects.get(voucher=voucher(order, n)).pk for n in (21, 22))
    assert slow_id < fast_id and held_mark < slow_id
    assert usage_totals(funder_id=funder.pk)["stopped"] == 2
    refresh_settled()
    assert Watermark.objects.get(source="voucher_event").last_id >= fast_id
    assert rollups(funder_id=funder.pk)["stopped"] == 2

    # Two refreshes at once take turns: nothing counted twice.
    vouchers_stop(vouchers=[voucher(order, 23)], actor=staff, reason="perte")
    usage_refresh()
    start = threading.Barrier(2)

    def refresh():
        try:
            start.wait(10)
            usage_refresh(until=timezone.now() + 2 * services.SETTLE)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert rollups(funder_id=funder.pk)["stopped"] == 3
    assert usage_totals(funder_id=funder.pk)["stopped"] == 3
    assert connection.vendor == "postgresql"


# Routing (ADR 0043): whichever rollup answers, the figures are those of the finest.

DAYS = [datetime.date(2026, 1, 20) + datetime.timedelta(days=n) for n in range(0, 130, 3)]
VALUES = {
    "day": st.sampled_from(DAYS),
    "funder_id": st.sampled_from([1, 2]),
    "order_id": st.sampled_from([1, 2, 3]),
    "place_id": st.sampled_from([0, 1, 2, 3]),
    "category_id": st.sampled_from([0, 1, 2]),
    "typology_id": st.sampled_from([0, 1, 2]),
    "commune": st.sampled_from(["", "42218", "69123"]),
    "epci": st.sampled_from(["", "244200770"]),
    "departement": st.sampled_from(["", "42", "69"]),
    "region": st.sampled_from(["", "84"]),
    "distributor_id": st.sampled_from([0, 5, 6]),
    "public": st.sampled_from(["", "senior", "young"]),
    "delay_days": st.sampled_from([-1, 0, 3, 40]),
}
FACT = st.fixed_dictionaries(VALUES | {m: st.integers(-2, 5) for m in MEASURES})
# Bounds on, around and between month boundaries, and beyond the facts' days.
BOUND_DAYS = st.sampled_from(
    [datetime.date(2026, m, d) for m in range(1, 7) for d in (1, 2, 15, 27, 28)]
    + [datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 31), datetime.date(2026, 4, 30)]
    + [datetime.date(2025, 12, 31), datetime.date(2026, 8, 1)]
)


@st.composite
def queries(draw):
    group_by = draw(st.lists(st.sampled_from(DIMENSIONS), max_size=2, unique=True))
    filters = {}
    for name in draw(st.lists(st.sampled_from([d for d in DIMENSIONS if d != "day"]), max_size=3, unique=True)):
        if draw(st.booleans()):
            filters[name] = draw(VALUES[name])
        else:
            filters[f"{name}__in"] = draw(st.lists(VALUES[name], max_size=2))
    for lookup in draw(st.lists(st.sampled_from(["day__gte", "day__gt", "day__lte", "day__lt"]), max_size=2)):
        filters[lookup] = draw(BOUND_DAYS)
    if draw(st.integers(0, 9)) == 0:
        filters["day"] = draw(st.sampled_from(DAYS))
    return group_by, filters


@pytest.mark.django_db
def test_every_rollup_answers_as_the_finest_would(monkeypatch):
    """Random facts, random group-bys and filters: the figures read from the rollups the selectors
    choose are those read from UsageDaily alone."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(facts=st.lists(FACT, max_size=40), asked=st.lists(queries(), min_size=1, max_size=6))
    def check(facts, asked):
        with transaction.atomic():
            unique = {tuple(f[d] for d in DIMENSIONS): f for f in facts}
            UsageDaily.objects.bulk_create([UsageDaily(**f) for f in unique.values()])
            rollups_rebuild()
            for group_by, filters in asked:
                routed = usage(group_by=group_by, **filters)
                no_delay = not any(lookup.startswith("delay_days") for lookup in filters)
                routed_median = usage_median_delay(**filters) if no_delay else None
                with monkeypatch.context() as m:
                    m.setattr(selectors, "ROLLUPS", (UsageDaily,))
                    assert usage(group_by=group_by, **filters) == routed, (group_by, filters)
                    if no_delay:
                        assert usage_median_delay(**filters) == routed_median
                # A page's queries read together (one statement per rollup on PostgreSQL) answer
                # as each alone; the median from the delays read with them.
                groups = [group_by, *(g for g, _ in asked), ["delay_days"], []]
                together = usage_sets(*groups, **filters)
                assert together == [usage(group_by=g, **filters) for g in groups], (groups, filters)
                if no_delay:
                    assert median_delay(together[-2]) == routed_median
            transaction.set_rollback(True)

    check()


@pytest.mark.django_db
def test_a_pages_queries_under_the_same_filters_read_the_finest_rollup_once():
    """A département and a public: the series by day, the places and the delays need UsageDaily, the
    publics the monthly cube; on PostgreSQL the four are one statement (GROUPING SETS, ADR 0061),
    elsewhere one each; the figures are those of each query alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    facts = [
        {"day": DAYS[n % 7], "funder_id": 1, "order_id": 1, "place_id": n % 3, "departement": ("42", "69")[n % 2],
         "public": ("senior", "young")[n % 3 == 0], "delay_days": n % 5, "used": 1 + n % 4, "used_cents": 1000}
        for n in range(30)
    ]  # fmt: skip
    UsageDaily.objects.bulk_create([UsageDaily(**f) for f in facts])
    rollups_rebuild()
    groups = [("day",), ("place_id",), ("delay_days",), ("public",)]
    lookups = {"funder_id": 1, "departement": "42", "public": "senior"}
    with CaptureQueriesContext(connection) as queries:
        together = usage_sets(*groups, **lookups)
    finest = [q for q in queries.captured_queries if 'FROM "reporting_usagedaily"' in q["sql"]]
    assert len(finest) == (1 if connection.vendor == "postgresql" else len(groups))
    assert together == [usage(group_by=g, **lookups) for g in groups]
    assert sum(r["used"] for r in together[0]) == sum(
        f["used"] for f in facts if f["departement"] == "42" and f["public"] == "senior"
    )


def test_a_funders_page_reads_the_small_rollups():
    """The plan of the usual queries: whole months from the monthly rollups, the rest of a period
    from the daily ones, the finest only when a query needs the place and the day."""
    from aptic.reporting.models import (
        UsageCategoryMonthly,
        UsageDelayMonthly,
        UsageFunderDaily,
        UsageMonthly,
        UsagePlaceMonthly,
        UsagePublicDaily,
        UsagePublicMonthly,
        UsageTerritoryMonthly,
    )

    def plan(group_by, **filters):
        _, checked = selectors._checked(group_by, filters)
        span = (datetime.date(2025, 1, 3), datetime.date(2026, 12, 6))
        return [(model, sorted(where, key=str)) for model, where in selectors._plan(tuple(group_by), checked, span)]

    year = {"funder_id": 1, "day__gte": datetime.date(2026, 1, 1), "day__lte": datetime.date(2026, 12, 6)}
    assert [m for m, _ in plan([], **year)] == [UsageTerritoryMonthly]
    assert [m for m, _ in plan(["day"], **year)] == [UsageFunderDaily]
    assert [m for m, _ in plan(["delay_days"], delay_days__gte=0, **year)] == [UsageDelayMonthly]
    assert [m for m, _ in plan(["category_id"], typology_id=2, **year)] == [UsageCategoryMonthly]
    assert [m for m, _ in plan(["distributor_id"], public="senior", **year)] == [UsagePublicMonthly]
    assert [m for m, _ in plan(["category_id"], public="senior", **year)] == [UsageMonthly]
    assert [m for m, _ in plan(["place_id"], commune="42218", **year)] == [UsagePlaceMonthly]
    assert [m for m, _ in plan(["place_id"], public="senior", **year)] == [UsageDaily]
    # A custom period: its whole months, then its first and last days.
    custom = plan(["category_id"], funder_id=1, day__gte=datetime.date(2026, 2, 10), day__lt=datetime.date(2026, 5, 5))
    assert custom == [
        (UsageCategoryMonthly, [("day", "gte", datetime.date(2026, 3, 1)), ("day", "lt", datetime.date(2026, 5, 1)),
                        ("funder_id", "exact", 1)]),
        (UsageDaily, [("day", "gte", datetime.date(2026, 2, 10)), ("day", "lte", datetime.date(2026, 2, 28)),
                      ("funder_id", "exact", 1)]),
        (UsageDaily, [("day", "gte", datetime.date(2026, 5, 1)), ("day", "lte", datetime.date(2026, 5, 4)),
                      ("funder_id", "exact", 1)]),
    ]  # fmt: skip
    # The days of partial months: publics and distributors from their daily rollup (ADR 0061).
    edges = {"funder_id": 1, "day__gte": datetime.date(2026, 2, 10), "day__lte": datetime.date(2026, 4, 30)}
    assert [m for m, _ in plan(["public"], **edges)] == [UsagePublicMonthly, UsagePublicDaily]
    assert [m for m, _ in plan(["delay_days"], **edges)] == [UsageDelayMonthly, UsageDaily]
    assert [m for m, _ in plan(["day"], public="senior", **year)] == [UsagePublicDaily]
    # A period ending on the first of a month reads that day from a daily rollup (found by the test above).
    assert plan([], funder_id=1, day__gte=datetime.date(2026, 1, 1), day__lte=datetime.date(2026, 5, 1)) == [
        (UsageTerritoryMonthly, [("day", "gte", datetime.date(2026, 1, 1)), ("day", "lt", datetime.date(2026, 5, 1)),
                                 ("funder_id", "exact", 1)]),
        (UsageFunderDaily, [("day", "gte", datetime.date(2026, 5, 1)), ("day", "lte", datetime.date(2026, 5, 1)),
                            ("funder_id", "exact", 1)]),
    ]  # fmt: skip
    # From a day on: the whole months after it, the days of its month.
    assert [m for m, _ in plan([], funder_id=1, day__gte=datetime.date(2026, 2, 10))] == [
        UsageTerritoryMonthly,
        UsageFunderDaily,
    ]
    # Within one month: no whole month, the daily rollups.
    within = {"day__gte": datetime.date(2026, 2, 10), "day__lte": datetime.date(2026, 2, 20)}
    assert [m for m, _ in plan(["category_id"], funder_id=1, **within)] == [UsageDaily]
    assert [m for m, _ in plan(["place_id"], funder_id=1, **within)] == [UsageDaily]
    assert [m for m, _ in plan([], funder_id=1, **within)] == [UsageFunderDaily]


@pytest.mark.django_db
def test_a_transfer_the_bank_returns_is_no_second_use(world, funder, staff):
    """Vouchers owed again after the bank returned their transfer (reimbursed → redeemed) were used
    once (found in review: the demo's Gironde counted five uses twice, on every dashboard)."""
    spend(world, 1, 2)
    ids = Voucher.objects.filter(order=world["order"], sequence__in=[1, 2]).values("pk")
    assert vouchers_reimburse(voucher_ids=ids, actor=staff, reason="Virement envoyé") == 2
    assert vouchers_reimbursement_reverse(voucher_ids=ids, actor=staff, reason="Virement rejeté par la banque") == 2
    expected = {"used": 2, "used_cents": 2 * world["order"].face_value_cents, "services": 1}

    def seen():
        totals = usage_totals(funder_id=funder.pk)
        return {name: totals[name] for name in expected}

    assert seen() == expected  # the live tail
    refresh_settled()
    assert {name: rollups(funder_id=funder.pk)[name] for name in expected} == expected
    assert seen() == expected


@pytest.mark.django_db
def test_a_snapshot_reads_the_tail_once_and_answers_as_each_query_alone(world, funder, staff):
    """A page's queries in a usage_snapshot (ADR 0048): the same figures as each query reading the
    rollups and the live tail on its own, for every kind of filter, with the tail read once."""
    from django.test.utils import CaptureQueriesContext

    other = OrganisationFactory(kind="funder", name="Autre département")
    spend(world, 1, 2)
    refresh_settled()  # these in the rollups, the rest in the tail
    spend(world, 3)
    redemption_create(
        provider=world["provider"],
        place=world["place"],
        offer=world["offer"],
        codes=[Voucher.objects.filter(order=issue(other, quantity=10)).first().code],
        user=world["cashier"],
    )
    vouchers_stop(vouchers=[voucher(world["order"], 15)], actor=staff, reason="perte")
    today = timezone.localdate()
    place, commune = world["place"], world["commune"]
    queries = [
        ((), {"funder_id": funder.pk}),
        (("day",), {"funder_id": funder.pk, "day__gte": today - datetime.timedelta(days=30)}),
        (("public", "distributor_id"), {"funder_id": funder.pk, "public": "senior"}),
        (("category_id",), {"funder_id": funder.pk, "commune": commune.pk, "day__lte": today.isoformat()}),
        (("place_id",), {"funder_id": funder.pk, "place_id__in": [place.pk, 0], "day__lt": today}),
        (("delay_days",), {"funder_id": funder.pk, "delay_days__gte": 0}),
        (("funder_id",), {"commune__in": [commune.pk]}),
        (("order_id",), {"funder_id": str(funder.pk), "departement": commune.departement_id}),
        ((), {"funder_id": funder.pk, "place_id__in": []}),
    ]
    alone = [usage(group_by=g, **f) for g, f in queries]
    assert alone[0][0]["used"] == 3 and alone[0][0]["stopped"] == 1
    assert {r["funder_id"] for r in alone[6]} == {funder.pk, other.pk}
    with CaptureQueriesContext(connection) as captured, selectors.usage_snapshot():
        together = [usage(group_by=g, **f) for g, f in queries]
        assert usage_median_delay(funder_id=funder.pk) == 5
    assert together == alone and alone[-1] == []
    tails = [q["sql"] for q in captured.captured_queries if ") f WHERE" in q["sql"]]
    assert len(tails) == 2  # this funder's, then every funder's (the query without funder_id)


@pytest.mark.django_db
def test_a_refresh_during_a_snapshot_counts_nothing_twice(world, funder):
    spend(world, 1, 2)
    with selectors.usage_snapshot():
        assert usage_totals(funder_id=funder.pk)["used"] == 2  # from the tail it holds
        refresh_settled()  # folds that tail into the rollups
        assert usage_totals(funder_id=funder.pk)["used"] == 2
        spend(world, 3)  # after the snapshot's tail: seen once a refresh moves the watermarks
        assert usage_totals(funder_id=funder.pk)["used"] == 2
        refresh_settled()
        assert usage_totals(funder_id=funder.pk)["used"] == 3


@pytest.mark.django_db
def test_before_any_refresh_a_query_reads_once(world, funder):
    """No watermark yet: the consistency check must still match (it read everything 5 times)."""
    from django.test.utils import CaptureQueriesContext

    spend(world, 1)
    assert not Watermark.objects.exists()
    with CaptureQueriesContext(connection) as captured:
        assert usage_totals(funder_id=funder.pk)["used"] == 1
    tails = [q["sql"] for q in captured.captured_queries if ") f WHERE" in q["sql"]]
    assert len(tails) == 1
