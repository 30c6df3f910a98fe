"""Usage facts on PostgreSQL (ADR 0035): a synthetic history of uses, folded by usage_refresh, and
a funder's figures read through the selectors beside the raw SQL aggregate of the same events.

A skeleton of issue #14's `dashboards` bench: uses only (one voucher each, spread over a year,
10 funders, one holding half of them), no shipments nor handouts yet. BENCH_DASHBOARD_USES sets the
size (1 million by default; the issue's goal is 10 million), BENCH_DASHBOARD_PLACES the places.

The history is built in bulk (order_issue's COPY, then INSERT … SELECT generate_series), not
through the counter: building it is not what is measured.
"""

import datetime
import os
import statistics
import time

from django.db import connection, transaction
from django.utils import timezone

USES = int(os.environ.get("BENCH_DASHBOARD_USES", "1000000"))
PLACES = int(os.environ.get("BENCH_DASHBOARD_PLACES", "10000"))
FUNDERS = 10
TAIL = 3000  # 30 s of uses at 100 per second: what the live tail holds between two refreshes
RUNS = 20


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _world():
    from aptic.accounts.models import Organisation
    from aptic.core.tests.factories import CommuneFactory, OrganisationFactory, UserFactory
    from aptic.places.models import Offer, Place
    from aptic.vocabulary.models import PlaceTypology, ServiceCategory
    from aptic.vocabulary.services import vocabulary_load
    from aptic.vouchers.issuance import order_create, order_issue

    vocabulary_load()
    cashier = UserFactory()
    provider = OrganisationFactory(kind="provider", name="Structure du banc d'essai")
    commune = CommuneFactory()
    categories = list(ServiceCategory.objects.values_list("pk", flat=True))
    typologies = list(PlaceTypology.objects.all()[:5])
    places = Place.objects.bulk_create(
        [
            Place(provider=provider, name=f"Lieu {n}", address="x", commune=commune, latitude=45, longitude=4)
            for n in range(PLACES)
        ],
        batch_size=5000,
    )
    Place.typologies.through.objects.bulk_create(
        [Place.typologies.through(place_id=p.pk, placetypology_id=typologies[n % 5].pk) for n, p in enumerate(places)],
        batch_size=5000,
    )
    offers = Offer.objects.bulk_create(
        [
            Offer(
                place=p,
                category_id=categories[n % len(categories)],
                title="Atelier",
                price_cents=1500,
                duration_minutes=60,
                format="group",
            )
            for n, p in enumerate(places)
        ],  # fmt: skip
        batch_size=5000,
    )
    funders = Organisation.objects.bulk_create(
        [Organisation(kind="funder", name=f"Commanditaire {n}", slug=f"commanditaire-banc-{n}") for n in range(FUNDERS)]
    )
    today = timezone.localdate()
    started = time.perf_counter()
    orders = []
    for n, funder in enumerate(funders):
        # The first funder holds half of the uses: the largest funder's dashboard.
        quantity = USES // 2 if n == 0 else USES // 2 // (FUNDERS - 1)
        order = order_create(
            funder=funder,
            quantity=-(-(quantity + TAIL) // 10) * 10,  # whole booklets
            valid_from=today - datetime.timedelta(days=400),
            valid_until=today + datetime.timedelta(days=60),
            grace_until=today + datetime.timedelta(days=90),
        )
        orders.append((order_issue(order=order), quantity))
    with transaction.atomic():
        for order, quantity in orders:
            _spend(order, 1, quantity, offers, cashier, days=365)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return funders[0], orders[0][0], offers, cashier, time.perf_counter() - started


def _spend(order, first, count, offers, cashier, days):
    """Vouchers first … first + count - 1 of the order, each paying a service alone at a place
    chosen by its rank, on a day spread over the last `days` days: redemption, line, event."""
    from aptic.vouchers.models import Redemption, RedemptionLine, Voucher, VoucherEvent

    first_offer, places = offers[0].pk, len(offers)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_use (voucher_id bigint, redemption_id bigint)")
        cursor.execute("TRUNCATE bench_use")
        cursor.execute(
            f"WITH v AS (SELECT id, sequence FROM {_table(Voucher)} WHERE order_id = %s "  # noqa: S608
            "AND sequence >= %s AND sequence < %s), "
            f"r AS (INSERT INTO {_table(Redemption)} (provider_id, place_id, offer_id, price_cents, covered_cents, "
            "remainder_cents, voucher_count, created_by_id, created_at, idempotency_key, cancel_reason) "
            "SELECT p.provider_id, o.place_id, o.id, 1500, %s, 1500 - %s, 1, %s, "
            "%s - ((v.sequence::bigint * 7919) %% %s) * interval '1 day', 'bench-' || v.id, '' "
            f"FROM v JOIN places_offer o ON o.id = %s + (v.sequence::bigint * 104729) %% %s "
            "JOIN places_place p ON p.id = o.place_id RETURNING id, idempotency_key) "
            "INSERT INTO bench_use SELECT substr(idempotency_key, 7)::bigint, id FROM r",
            [order.pk, first, first + count, order.face_value_cents, order.face_value_cents, cashier.pk, now,
             days, first_offer, places],
        )  # fmt: skip
        cursor.execute(
            f"UPDATE {_table(Voucher)} v SET status = 'redeemed', redemption_id = b.redemption_id "  # noqa: S608
            "FROM bench_use b WHERE v.id = b.voucher_id"
        )
        cursor.execute(
            f"INSERT INTO {_table(RedemptionLine)} (redemption_id, voucher_id, amount_cents, is_cancelled) "  # noqa: S608
            "SELECT redemption_id, voucher_id, %s, false FROM bench_use",
            [order.face_value_cents],
        )
        cursor.execute(
            f"INSERT INTO {_table(VoucherEvent)} (voucher_id, from_status, to_status, actor_id, reason, "  # noqa: S608
            "redemption_id, created_at) "
            f"SELECT b.voucher_id, 'active', 'redeemed', %s, 'banc', b.redemption_id, r.created_at "
            f"FROM bench_use b JOIN {_table(Redemption)} r ON r.id = b.redemption_id ORDER BY b.redemption_id",
            [cashier.pk],
        )


def _raw_funder_figures(funder_id, since):
    """The funder's uses, value and services by category, straight from the events."""
    from aptic.vouchers.models import Order, Redemption, Voucher, VoucherEvent

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o2.category_id, count(*), sum(o.face_value_cents), count(DISTINCT e.redemption_id) "  # noqa: S608
            f"FROM {_table(VoucherEvent)} e JOIN {_table(Voucher)} v ON v.id = e.voucher_id "
            f"JOIN {_table(Order)} o ON o.id = v.order_id JOIN {_table(Redemption)} r ON r.id = e.redemption_id "
            "JOIN places_offer o2 ON o2.id = r.offer_id "
            "WHERE o.funder_id = %s AND e.to_status = 'redeemed' AND r.created_at >= %s GROUP BY o2.category_id",
            [funder_id, since],
        )
        return {row[0]: row[1] for row in cursor.fetchall()}


def _p95(function, runs=RUNS):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[int(0.95 * (len(times) - 1))], statistics.median(times), result


def run():
    if connection.vendor != "postgresql":
        print("dashboards: skipped, this goal is about PostgreSQL (DATABASE_URL=postgresql://…)")
        return
    from aptic.reporting.models import UsageDaily
    from aptic.reporting.selectors import usage
    from aptic.reporting.services import SETTLE, usage_refresh

    funder, order, offers, cashier, built = _world()
    print(f"dashboards, {USES:,} uses over a year at {PLACES:,} places, {FUNDERS} funders (the first holds half)")
    print(f"  history built (issuance COPY, INSERT … SELECT)        {built:8.1f} s")

    usage_refresh()  # notes the bound
    started = time.perf_counter()
    usage_refresh(until=timezone.now() + SETTLE)
    folded = time.perf_counter() - started
    print(f"  usage_refresh, the whole history folded               {folded:8.1f} s   "
          f"({USES / folded:,.0f} events/s, {UsageDaily.objects.count():,} rollup rows)")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    since = timezone.localdate() - datetime.timedelta(days=365)

    def through_selectors():
        rows = usage(group_by=["category_id"], funder_id=funder.pk, day__gte=since)
        return {row["category_id"]: row["used"] for row in rows}

    p95, median, figures = _p95(through_selectors)
    raw_p95, raw_median, raw = _p95(lambda: _raw_funder_figures(funder.pk, since), runs=5)
    assert figures == raw, "the rollups and the raw aggregate disagree"
    print(f"  largest funder, uses by category (selector)         p95 {p95:7.1f} ms   median {median:7.1f} ms")
    print(f"  the same, raw SQL over the events                   p95 {raw_p95:7.1f} ms   median {raw_median:7.1f} ms")

    # 30 s of uses at 100/s committed since the refresh: the live tail, then its refresh.
    with transaction.atomic():
        _spend(order, USES // 2 + 1, TAIL, offers, cashier, days=1)
    p95, median, figures = _p95(through_selectors)
    assert sum(figures.values()) == USES // 2 + TAIL
    print(f"  the same with {TAIL:,} uses in the live tail            p95 {p95:7.1f} ms   median {median:7.1f} ms")
    usage_refresh()
    started = time.perf_counter()
    usage_refresh(until=timezone.now() + SETTLE)
    tail_ms = (time.perf_counter() - started) * 1000
    print(f"  usage_refresh of those {TAIL:,} uses                     {tail_ms:8.1f} ms")
