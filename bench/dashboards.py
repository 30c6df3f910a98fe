"""Issue #14's `dashboards` bench (PostgreSQL, ADR 0043): a synthetic history built in bulk, folded by
usage_refresh, then the dashboards' queries through the selectors beside the raw SQL of the same
aggregates over the events, in the same run, with their ratio.

Full scale (BENCH_DASHBOARD_SCALE=1, the issue's): 50 million vouchers, 10 million uses over a year,
1,000 funders, 10,000 places; the largest funder holds a tenth (5 million vouchers, 1 million uses).
BENCH_DASHBOARD_SCALE=50 divides every count by 50 (how it was developed). At full scale a raw page
takes minutes: BENCH_DASHBOARD_RAW_LINES=first runs the raw SQL beside the first line of each part
only. Each funder's vouchers
are used at the places of its own territory (a window of places, a fifth of them for the largest),
booklets shipped to its distributors and handed out to a public before their first use.

The history is built in bulk (order_issue's COPY, then INSERT … SELECT generate_series), not
through the counter: building it is not what is measured, but its time is printed.

Goals (issue #14): the largest funder's full page p95 ≤ 100 ms; any filter combination p95 ≤ 300 ms;
the staff national dashboard p95 ≤ 500 ms; a use visible ≤ 60 s after it happened while 100 uses
per second arrive.
"""

import datetime
import functools
import os
import statistics
import threading
import time

from django.db import connection, connections, transaction
from django.utils import timezone

SCALE = int(os.environ.get("BENCH_DASHBOARD_SCALE", "1"))
VOUCHERS = 50_000_000 // SCALE
USES = 10_000_000 // SCALE
FUNDERS = max(2, 1000 // SCALE)
PLACES = max(20, 10_000 // SCALE)
LIVE_SECONDS = int(os.environ.get("BENCH_DASHBOARD_LIVE_SECONDS", "70"))
LIVE_RATE = 100  # uses per second, in one commit each second
RUNS = 20
RAW_RUNS = int(os.environ.get("BENCH_DASHBOARD_RAW_RUNS", "3"))  # a raw page takes seconds to minutes
# "first": the raw SQL beside the first line of each part only (at full scale a raw page takes minutes).
RAW_LINES = os.environ.get("BENCH_DASHBOARD_RAW_LINES", "all")
BOOKLET = 10
# "build": build the history and stop (with BENCH_KEEP_DATABASE, which keeps it); "measure": measure
# the history a build phase left in that database (its code may be newer: migrate ran); "all": both.
PHASE = os.environ.get("BENCH_DASHBOARD_PHASE", "all")


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _territories():
    """A région, ten départements, an EPCI for every ten communes, a commune for every ten places."""
    from aptic.territories.models import Commune, Departement, Epci, Region

    region = Region.objects.create(code="99", name="Région du banc d'essai")
    deps = Departement.objects.bulk_create(
        [Departement(code=f"9{n}", name=f"Département {n}", region=region) for n in range(10)]
    )
    count = max(20, PLACES // 10)
    epcis = Epci.objects.bulk_create(
        [Epci(siren=f"{900000000 + n}", name=f"EPCI {n}", nature="CC") for n in range(count // 10)]
    )
    return Commune.objects.bulk_create(
        [
            Commune(
                insee_code=f"{deps[n % 10].code}{n:03d}"[:5],
                name=f"Commune {n}",
                search_name=f"commune {n}",
                departement=deps[(n * 10) // count],
                region=region,
                epci=epcis[n // 10],
                population=1000 + n,
                latitude=45,
                longitude=4,
            )
            for n in range(count)
        ],
        batch_size=5000,
    )


def _world():
    from aptic.accounts.models import Organisation
    from aptic.core.tests.factories import OrganisationFactory, UserFactory
    from aptic.places.models import Offer, Place
    from aptic.vocabulary.models import PlaceTypology, ServiceCategory
    from aptic.vocabulary.services import vocabulary_load
    from aptic.vouchers.issuance import order_create, order_issue

    vocabulary_load()
    started = time.perf_counter()
    staff = UserFactory()
    provider = OrganisationFactory(kind="provider", name="Structure du banc d'essai")
    communes = _territories()
    categories = list(ServiceCategory.objects.values_list("pk", flat=True))
    typologies = list(PlaceTypology.objects.all()[:6])
    places = Place.objects.bulk_create(
        [
            Place(
                provider=provider,
                name=f"Lieu {n}",
                address="x",
                commune=communes[n * len(communes) // PLACES],
                latitude=45,
                longitude=4,
            )
            for n in range(PLACES)
        ],  # fmt: skip
        batch_size=5000,
    )
    Place.typologies.through.objects.bulk_create(
        [Place.typologies.through(place_id=p.pk, placetypology_id=typologies[n % 6].pk) for n, p in enumerate(places)],
        batch_size=5000,
    )
    # Two services at each place, of two categories.
    offers = Offer.objects.bulk_create(
        [
            Offer(
                place=p,
                category_id=categories[(n + k * 7) % len(categories)],
                title=f"Atelier {k}",
                price_cents=1500,
                duration_minutes=60,
                format="group",
            )
            for n, p in enumerate(places)
            for k in range(2)
        ],  # fmt: skip
        batch_size=5000,
    )
    funders = Organisation.objects.bulk_create(
        [Organisation(kind="funder", name=f"Commanditaire {n}", slug=f"commanditaire-banc-{n}") for n in range(FUNDERS)]
    )
    distributors = Organisation.objects.bulk_create(
        [
            Organisation(kind="distributor", name=f"Aiguilleur {n}", slug=f"aiguilleur-banc-{n}")
            for n in range(max(30, 2 * FUNDERS))
        ]
    )
    today = timezone.localdate()
    plan = []
    for n, funder in enumerate(funders):
        # The first funder holds a tenth of the vouchers and of the uses: the largest dashboard.
        vouchers = VOUCHERS // 10 if n == 0 else (VOUCHERS - VOUCHERS // 10) // (FUNDERS - 1)
        uses = USES // 10 if n == 0 else (USES - USES // 10) // (FUNDERS - 1)
        order = order_create(
            funder=funder,
            quantity=vouchers // BOOKLET * BOOKLET,
            face_value_cents=1000,
            booklet_size=BOOKLET,
            valid_from=today - datetime.timedelta(days=400),
            valid_until=today + datetime.timedelta(days=60),
            grace_until=today + datetime.timedelta(days=90),
        )
        order_issue(order=order)
        width = PLACES // 5 if n == 0 else max(5, PLACES // 50)
        dists = 30 if n == 0 else 3
        plan.append((order.pk, uses, (n * 7919) % PLACES, width, (n * 2) % len(distributors), dists))
    issued = time.perf_counter() - started
    _history(plan, offers, distributors, staff)
    built = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("CREATE UNLOGGED TABLE bench_meta (staff_id bigint, issued float, built float, scale int)")
        cursor.execute("INSERT INTO bench_meta VALUES (%s, %s, %s, %s)", [staff.pk, issued, built, SCALE])
    return funders, plan, offers, staff, issued, built


def _kept_world():
    """What _world returned, read back from the database a build phase left."""
    from aptic.accounts.models import User
    from aptic.places.models import Offer
    from aptic.vouchers.models import Order

    with connection.cursor() as cursor:
        cursor.execute("SELECT staff_id, issued, built, scale FROM bench_meta")
        staff_id, issued, built, scale = cursor.fetchone()
        if scale != SCALE:
            raise SystemExit(f"dashboards: the kept history is at 1/{scale}, not 1/{SCALE}")
        cursor.execute("SELECT order_id, uses, pstart, pwidth, dstart, dcount FROM bench_plan ORDER BY order_id")
        plan = cursor.fetchall()
    funder_of = dict(Order.objects.filter(pk__in=[p[0] for p in plan]).values_list("pk", "funder"))
    from aptic.accounts.models import Organisation

    by_id = Organisation.objects.in_bulk([funder_of[p[0]] for p in plan])
    funders = [by_id[funder_of[p[0]]] for p in plan]
    offers = list(Offer.objects.select_related("place__commune").order_by("pk"))
    return funders, plan, offers, User.objects.get(pk=staff_id), issued, built


def _history(plan, offers, distributors, staff):
    """Shipments to each funder's distributors, handouts, then the uses (INSERT … SELECT)."""
    from aptic.distribution.models import Handout, Shipment, ShippedBooklet
    from aptic.vouchers.models import Booklet

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_plan "
            "(order_id bigint, uses int, pstart int, pwidth int, dstart int, dcount int)"
        )
        cursor.execute(
            "INSERT INTO bench_plan SELECT * FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[], %s::int[], "
            "%s::int[])",
            [list(column) for column in zip(*plan, strict=True)],
        )
        cursor.execute("CREATE TEMP TABLE bench_dist (k int, org_id bigint)")
        cursor.execute(
            "INSERT INTO bench_dist SELECT * FROM unnest(%s::int[], %s::bigint[])",
            [list(range(len(distributors))), [d.pk for d in distributors]],
        )
        # One shipment per funder and distributor, long ago; 20 % more booklets shipped than used.
        cursor.execute(
            f"INSERT INTO {_table(Shipment)} "  # noqa: S608
            "(order_id, recipient_id, kind, shipped_on, reference, booklet_count, created_by_id, created_at) "
            "SELECT p.order_id, d.org_id, 'delivery', current_date - 380, 'banc ' || k.k, 1, %s, now() "
            "FROM bench_plan p CROSS JOIN generate_series(0, 29) AS k(k) "
            "JOIN bench_dist d ON d.k = (p.dstart + k.k) %% %s WHERE k.k < p.dcount",
            [staff.pk, len(distributors)],
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_shipment AS SELECT id, order_id, substr(reference, 6)::int AS k "  # noqa: S608
            f"FROM {_table(Shipment)} WHERE reference LIKE 'banc %%'"
        )
        cursor.execute(
            f"INSERT INTO {_table(ShippedBooklet)} (shipment_id, booklet_id) "  # noqa: S608
            f"SELECT s.id, b.id FROM {_table(Booklet)} b JOIN bench_plan p ON p.order_id = b.order_id "
            "JOIN bench_shipment s ON s.order_id = b.order_id AND s.k = b.number %% p.dcount "
            "WHERE b.number <= (p.uses * 12 / 10) / %s + 1",
            [BOOKLET],
        )
        # The booklets of the vouchers used are handed out, each to a public, 30 to 365 days ago.
        publics = ["senior", "young", "job_seeker", "minimum_income", "employee", "student", "other"]
        cursor.execute(
            f"INSERT INTO {_table(Handout)} (shipped_id, organisation_id, category, handed_out_on, recorded_by_id, "  # noqa: S608
            "created_at) "
            f"SELECT sb.id, s.recipient_id, (%s::text[])[1 + (b.number * 31) %% %s], "
            "current_date - (30 + (b.number::bigint * 7919) %% 335)::int, %s, now() "
            f"FROM {_table(ShippedBooklet)} sb JOIN {_table(Booklet)} b ON b.id = sb.booklet_id "
            f"JOIN {_table(Shipment)} s ON s.id = sb.shipment_id JOIN bench_plan p ON p.order_id = b.order_id "
            "WHERE b.number <= (p.uses - 1) / %s + 1",
            [publics, len(publics), staff.pk, BOOKLET],
        )
        for order_id, uses, *_ in plan:
            _spend(order_id, 1, uses, offers, staff, live=False)


def _spend(order_id, first, count, offers, cashier, live):
    """Vouchers first … first + count - 1 of the order, each paying a service alone at a place of the
    funder's window, after its booklet's handout (or now, if live): redemption, line, event."""
    from aptic.vouchers.models import Order, Redemption, RedemptionLine, Voucher, VoucherEvent

    when = (
        "now()"
        if live
        else "now() - ((v.sequence::bigint * 104729) % (30 + (((v.sequence - 1) / 10 + 1)::bigint * 7919) % 335)) "
        "* interval '1 day' - (v.sequence % 600) * interval '1 minute'"
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_use (voucher_id bigint, redemption_id bigint)")
        cursor.execute("TRUNCATE bench_use")
        cursor.execute(
            f"WITH v AS (SELECT v.id, v.sequence, o.face_value_cents AS face FROM {_table(Voucher)} v "  # noqa: S608
            f"JOIN {_table(Order)} o ON o.id = v.order_id WHERE v.order_id = %s AND v.sequence >= %s "
            "AND v.sequence < %s), "
            f"r AS (INSERT INTO {_table(Redemption)} (provider_id, place_id, offer_id, price_cents, covered_cents, "
            "remainder_cents, voucher_count, created_by_id, created_at, idempotency_key, cancel_reason) "
            f"SELECT pl.provider_id, f.place_id, f.id, 1500, v.face, 1500 - v.face, 1, %s, {when.replace('%', '%%')}, "
            "'bench-' || v.id, '' FROM v JOIN bench_plan p ON p.order_id = %s "
            f"JOIN places_offer f ON f.id = %s + 2 * ((p.pstart + (v.sequence::bigint * 104729) %% p.pwidth) %% %s) "
            "+ v.sequence %% 2 JOIN places_place pl ON pl.id = f.place_id RETURNING id, idempotency_key) "
            "INSERT INTO bench_use SELECT substr(idempotency_key, 7)::bigint, id FROM r",
            [order_id, first, first + count, cashier.pk, order_id, offers[0].pk, PLACES],
        )
        cursor.execute(
            f"UPDATE {_table(Voucher)} v SET status = 'redeemed', redemption_id = b.redemption_id "  # noqa: S608
            "FROM bench_use b WHERE v.id = b.voucher_id"
        )
        cursor.execute(
            f"INSERT INTO {_table(RedemptionLine)} (redemption_id, voucher_id, amount_cents, is_cancelled) "  # noqa: S608
            "SELECT redemption_id, voucher_id, 1000, false FROM bench_use"
        )
        cursor.execute(
            f"INSERT INTO {_table(VoucherEvent)} (voucher_id, from_status, to_status, actor_id, reason, "  # noqa: S608
            "redemption_id, created_at) "
            f"SELECT b.voucher_id, 'active', 'redeemed', %s, 'banc', b.redemption_id, r.created_at "
            f"FROM bench_use b JOIN {_table(Redemption)} r ON r.id = b.redemption_id ORDER BY b.redemption_id",
            [cashier.pk],
        )


def _timed(function, runs):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times, result


def _p95(times):
    return times[int(0.95 * (len(times) - 1))]


# The queries a funder's dashboard page makes (issue #14 item 2): figures, over time (by day, the
# page sums weeks and months), by category, top places, by commune and EPCI, by typology, public,
# distributor, and the median delay.
PAGE = (None, "day", "category_id", "place_id", "commune", "epci", "typology_id", "public", "distributor_id")


def _page(read, median, filters, shared=True):
    """A page's queries, in one usage snapshot as the dashboard builders read them (ADR 0048: the
    live tail read once per page; ADR 0061: the queries reading the same rollup in one statement);
    not shared: each query on its own, as before both (the raw SQL reads each query alone)."""
    from contextlib import nullcontext

    from aptic.reporting.selectors import median_delay, usage_sets, usage_snapshot

    groups = [(group,) if group else () for group in PAGE]
    if read is _through_selectors and shared:
        with usage_snapshot():
            *rows, delays = usage_sets(*groups, ("delay_days",), **filters)
        return dict(zip(PAGE, rows, strict=True)) | {"median": median_delay(delays)}
    with usage_snapshot() if shared else nullcontext():
        figures = {group: read(by, filters) for group, by in zip(PAGE, groups, strict=True)}
        figures["median"] = median(filters)
    return figures


def _through_selectors(group_by, filters):
    from aptic.reporting.selectors import usage

    return usage(group_by=group_by, **filters)


def _median_selectors(filters):
    from aptic.reporting.selectors import usage_median_delay

    return usage_median_delay(**filters)


def _raw(group_by, filters):
    """The same aggregate in one SQL statement over the events, handouts and shipments themselves
    (reporting.facts' joins from the first id: no rollup), with the selectors' output shape."""
    from aptic.reporting.models import MEASURES
    from aptic.reporting.selectors import _checked, _day, _tail

    group_by, checked = _checked(group_by, filters)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # as ADR 0035's baseline; the join order the planner's own
        rows = _tail({}, group_by, checked, filters)
    result = []
    for row in rows:
        measures = {m: int(v or 0) for m, v in zip(MEASURES, row[len(group_by) :], strict=True)}
        if any(measures.values()):
            dims = {n: _day(v) if n == "day" else v for n, v in zip(group_by, row, strict=False)}
            result.append(dims | measures)
    return sorted(result, key=lambda r: tuple(str(r[n]) for n in group_by))


def _median_raw(filters):
    counts = sorted((r["delay_days"], r["used"]) for r in _raw(("delay_days",), {"delay_days__gte": 0, **filters}))
    total, seen = sum(n for _, n in counts), 0
    for delay, n in counts:
        seen += n
        if 2 * seen >= total > 0:
            return delay
    return None


def _compare(label, filters, runs=RUNS, raw_runs=RAW_RUNS, goal=None, read=_page, first=False):
    times, figures = _timed(lambda: read(_through_selectors, _median_selectors, filters), runs)
    p95 = _p95(times)
    verdict = "" if goal is None else ("  goal met" if p95 <= goal else "  GOAL MISSED")
    line = f"  {label:<44} p95 {p95:8.1f} ms  median {statistics.median(times):8.1f} ms"
    if RAW_LINES != "first" or first:
        raw_times, raw = _timed(lambda: read(_raw, _median_raw, filters), raw_runs)
        assert figures == raw, f"{label}: the rollups and the raw aggregate disagree"
        raw_p95 = _p95(raw_times)
        line += f" | raw SQL p95 {raw_p95:9.1f} ms  ratio {raw_p95 / p95:6.1f}x"
    else:
        line += " | raw SQL not run (BENCH_DASHBOARD_RAW_LINES=first)"
    print(line + verdict)
    return times


def _national(read, median, filters):
    """The staff's national dashboard: figures, usage per funder and per département."""
    return {group: read((group,) if group else (), filters) for group in (None, "funder_id", "departement")}


def _live(order_id, first, offers, cashier, funder_id):
    """LIVE_RATE uses a second for LIVE_SECONDS, committed by a writer thread, while the frequent
    work refreshes every FREQUENT_SECONDS: how long until each use is in the rollups, and the page
    (with its live tail) meanwhile."""
    from aptic.jobs.schedule import FREQUENT_SECONDS as period
    from aptic.reporting.models import Watermark
    from aptic.reporting.selectors import usage_totals
    from aptic.reporting.services import usage_refresh
    from aptic.vouchers.models import VoucherEvent

    commits, stop = [], threading.Event()

    def writer():
        try:
            n = 0
            while not stop.is_set() and n < LIVE_SECONDS:
                tick = time.monotonic()
                with transaction.atomic():
                    _spend(order_id, first + n * LIVE_RATE, LIVE_RATE, offers, cashier, live=True)
                last = VoucherEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
                commits.append((time.monotonic(), last))
                n += 1
                time.sleep(max(0, 1 - (time.monotonic() - tick)))
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    before = usage_totals(funder_id=funder_id)["used"]
    started = time.monotonic()
    thread.start()
    folds, page_times, unshared_times, seen = [], [], [], []
    next_tick = started + period
    try:
        while thread.is_alive():
            if time.monotonic() >= next_tick:
                usage_refresh()
                folds.append((time.monotonic(), Watermark.objects.get(source="voucher_event").last_id))
                next_tick += period
            # A use committed is in the figures at once (the tail): check the latest commit.
            if commits:
                at, _ = commits[-1]
                count = len(commits) * LIVE_RATE
                # Pages in turn with the tail read once (ADR 0048) and once per query (before it).
                shared = len(page_times) <= len(unshared_times)
                page = functools.partial(_page, _through_selectors, _median_selectors, {"funder_id": funder_id}, shared)
                t, _ = _timed(page, 1)
                (page_times if shared else unshared_times).extend(t)
                if usage_totals(funder_id=funder_id)["used"] >= before + count:
                    seen.append(time.monotonic() - at)
            time.sleep(0.5)
    finally:
        stop.set()
        thread.join()
    # The ticks until every committed use is folded.
    while not folds or folds[-1][1] < commits[-1][1]:
        time.sleep(max(0, next_tick - time.monotonic()))
        usage_refresh()
        folds.append((time.monotonic(), Watermark.objects.get(source="voucher_event").last_id))
        next_tick += period
    lags = [next(f for f, mark in folds if mark >= last) - at for at, last in commits]
    print(f"  live: {len(commits) * LIVE_RATE:,} uses at {LIVE_RATE}/s over {len(commits)} s, refresh every {period} s")
    tail = max(seen or [0])
    print(
        f"    on the dashboard (the live tail) after commit  max {tail * 1000:8.1f} ms  ({len(seen)} checks)  "
        f"{'goal met (≤ 60 s)' if seen and tail <= 60 else 'GOAL MISSED (≤ 60 s)'}"
    )
    print(
        f"    in the rollups (two ticks) after commit        max {max(lags):8.1f} s    "
        f"median {statistics.median(lags):.1f} s"
    )
    for label, times in (("the tail read once", page_times), ("the tail read by each query", unshared_times)):
        if times:
            times.sort()
            print(
                f"    largest funder's page meanwhile, {label:<28} p95 {_p95(times):8.1f} ms  "
                f"median {statistics.median(times):8.1f} ms  ({len(times)} pages)"
            )


def _pages(funder, combos: dict, year):
    """The same views through the dashboard builder (aptic.reporting.dashboard, ADR 0038): the
    Report a page renders (its figures, rates, cohorts, names), without the HTTP and template layers."""
    from aptic.reporting.dashboard import funder_report
    from aptic.reporting.filters import Filters
    from aptic.reporting.national import national_report

    views = {
        "since the start": lambda: funder_report(funder=funder, filters=Filters(period="tout")),
        "this year": lambda: funder_report(funder=funder, filters=Filters(period="annee", start=year)),
    }
    views |= {
        label: functools.partial(funder_report, funder=funder, filters=_filters_of(lookups))
        for label, lookups in combos.items()
    }
    print("  through the dashboard builder (the Report of a page; goal p95 ≤ 100 ms, a filter ≤ 300 ms):")
    for n, (label, view) in enumerate(views.items()):
        times, _ = _timed(view, RUNS)
        goal = 100 if n < 2 else 300
        verdict = "goal met" if _p95(times) <= goal else "GOAL MISSED"
        print(f"  {'funder_report, ' + label:<44} {_line(times)}  {verdict}  {_sql_share(view)}")
    times, _ = _timed(lambda: national_report(filters=Filters(period="tout")), RUNS)
    print(f"  {'national_report, since the start':<44} {_line(times)}")


def _sql_share(view) -> str:
    """Where one more run of `view` spends its time: its SQL statements (execute: sent, run and
    answered) and the rest (Python, and fetching the rows: rows to figures, names, sorting)."""
    spent = [0.0, 0]

    def clocked(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started
            spent[1] += 1

    started = time.perf_counter()
    with connection.execute_wrapper(clocked):
        view()
    total = (time.perf_counter() - started) * 1000
    return f"(one run {total:.0f} ms: SQL {spent[0] * 1000:.0f} ms in {spent[1]} statements)"


def _line(times) -> str:
    return f"p95 {_p95(times):8.1f} ms  median {statistics.median(times):8.1f} ms"


def run():
    if connection.vendor != "postgresql":
        print("dashboards: skipped, this goal is about PostgreSQL (DATABASE_URL=postgresql://…)")
        return
    from aptic.core.startup import startup_freeze
    from aptic.reporting.facts import SOURCES, quoted
    from aptic.reporting.models import COHORTS, ROLLUPS, UsageDaily
    from aptic.reporting.services import SETTLE, usage_refresh

    print(
        f"dashboards at 1/{SCALE} of the issue's scale: {VOUCHERS:,} vouchers, {USES:,} uses over a year, "
        f"{FUNDERS:,} funders, {PLACES:,} places"
    )
    if PHASE == "measure":
        funders, plan, offers, staff, issued, built = _kept_world()
        print("  the history of an earlier build phase (BENCH_KEEP_DATABASE), measured by this code:")
    else:
        funders, plan, offers, staff, issued, built = _world()
    # The bench's own objects (its world: 20,000 offers with their places) out of the collector's
    # full passes, as a web worker freezes its own (ADR 0062): scanned at each one, they added 100 ms
    # to a page's p95.
    startup_freeze()
    print(f"  history built: vouchers issued (order_issue's COPY)   {issued:8.1f} s")
    print(f"  history built in all (+ shipments, handouts, uses)     {built:8.1f} s")
    if PHASE == "build":
        print("  build phase only (BENCH_DASHBOARD_PHASE=build): measure with BENCH_DASHBOARD_PHASE=measure")
        return

    usage_refresh()  # notes the bound
    started = time.perf_counter()
    usage_refresh(until=timezone.now() + SETTLE)
    folded = time.perf_counter() - started
    rows = sum(model.objects.count() for model, _ in SOURCES.values())
    print(f"  usage_refresh, the whole history folded                {folded:8.1f} s   ({rows / folded:,.0f} rows/s)")
    for model in ROLLUPS + COHORTS:
        print(f"    {model.__name__:<24} {model.objects.count():>12,} rows")
    # The state the rollups' autovacuum settings aim at (migration reporting/0008): the folded rows
    # marked all-visible (index-only scans, ADR 0062) and their statistics gathered. A fold of a
    # whole year at once leaves that to this VACUUM; pages not yet marked are not measured.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(quoted(model) for model in ROLLUPS + COHORTS)}")
    print(f"  VACUUM (ANALYZE) of the rollups                        {time.perf_counter() - started:8.1f} s")
    assert UsageDaily.objects.exists()

    largest = funders[0].pk
    today = timezone.localdate()
    year = today.replace(month=1, day=1)
    some_place = offers[2 * ((plan[0][2] + 1) % PLACES)].place
    print(f"  largest funder ({plan[0][1]:,} uses), a full page = {len(PAGE) + 1} queries (goal p95 ≤ 100 ms):")
    _compare("since the start", {"funder_id": largest}, goal=100, first=True)
    _compare("this year", {"funder_id": largest, "day__gte": year}, goal=100)
    _compare("this month", {"funder_id": largest, "day__gte": today.replace(day=1)}, goal=100)
    print("  filter combinations, a full page each (goal p95 ≤ 300 ms):")
    from aptic.reporting.selectors import usage

    # Its most used category and typology (the first row by id would be 0: handouts, which have none).
    category, typology = _most_used("category_id", largest), _most_used("typology_id", largest)
    public = "senior"
    distributor = usage(group_by=["distributor_id"], funder_id=largest, public=public)[0]["distributor_id"]
    custom = {"day__gte": today - datetime.timedelta(days=200), "day__lte": today - datetime.timedelta(days=20)}
    combos = {
        "a category and a commune": {"category_id": category, "commune": some_place.commune_id},
        "an EPCI and a typology": {"epci": some_place.commune.epci_id, "typology_id": typology},
        "a département and a public": {"departement": some_place.commune.departement_id, "public": public},
        "a distributor": {"distributor_id": distributor},
        "a custom period": custom,
        "a custom period, a category, a public": {**custom, "category_id": category, "public": public},
        "its order, a period from a day": {"order_id": plan[0][0], "day__gte": today - datetime.timedelta(days=45)},
    }  # fmt: skip
    every = []
    for n, (label, filters) in enumerate(combos.items()):
        every += _compare(label, {"funder_id": largest, **filters}, runs=10, raw_runs=1, goal=300, first=n == 0)
    print(f"  {'all the combinations together':<44} p95 {_p95(sorted(every)):8.1f} ms")
    _pages(funders[0], combos, year)
    print("  staff national dashboard, every funder (goal p95 ≤ 500 ms):")
    _compare("since the start", {}, goal=500, read=_national, first=True)
    _compare("this year", {"day__gte": year}, goal=500, read=_national)

    # The largest order has more vouchers than uses: the live uses take the next ones.
    order_id = plan[0][0]
    _live(order_id, _first_unused(order_id), offers, staff, largest)


def _filters_of(lookups: dict):
    """The dashboard's Filters of a bench combination's usage lookups (without funder_id)."""
    from aptic.reporting.filters import Filters

    names = {"commune": "commune", "epci": "epci", "departement": "departement", "category_id": "category"}
    names |= {"typology_id": "typology", "distributor_id": "distributor", "public": "public"}
    found = {names[k]: v for k, v in lookups.items() if k in names}
    if "order_id" in lookups:
        found["orders"] = (lookups["order_id"],)
    if "day__gte" in lookups:
        found |= {"period": "dates", "start": lookups["day__gte"], "end": lookups.get("day__lte", timezone.localdate())}
    else:
        found["period"] = "tout"
    return Filters(**found)


def _most_used(dimension: str, funder_id: int):
    from aptic.reporting.selectors import usage

    return max(usage(group_by=[dimension], funder_id=funder_id), key=lambda row: row["used"])[dimension]


def _first_unused(order_id: int) -> int:
    """The sequence after the order's last voucher used: the history's, or an earlier measure
    run's live uses on a kept database."""
    from aptic.vouchers.models import Voucher

    last = Voucher.objects.filter(order_id=order_id, redemption__isnull=False).order_by("-sequence").first()
    return (last.sequence if last else 0) + 1
