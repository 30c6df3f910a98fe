"""Keeping the usage rollups (ADR 0035): fold what the source tables gained since the watermark.

Nothing here runs on the redemption's path: the periodic work calls usage_refresh every 30 s or
so, and the selectors add what is not folded yet (the live tail), so figures are current anyway."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from .facts import SOURCES, days_before, month_of, no_jit
from .models import COHORTS, DIMENSIONS, MEASURES, ROLLUPS, UsageDaily, Watermark

# Ids folded per statement: bounds the database's work area in a catch-up (10 million events).
CHUNK = 250_000
# Rows folded per source and refresh, by database. On SQLite the refresh is one transaction holding
# the database's only write lock, which a redemption waits for (20 s at most, settings): a catch-up
# (the demo's first minute, a night's expiry) goes over several ticks of a few seconds each, the live
# tail covering the rest meanwhile. PostgreSQL's row locks block no redemption: no bound.
PASS = {"sqlite": 20_000}
# PostgreSQL: a pending bound is folded once the transactions running when it was seen have ended,
# and at least this long after (ADR 0035).
SETTLE = datetime.timedelta(seconds=1)


def _running_xids() -> set[int] | None:
    """The ids of the other transactions of this database holding an xid (those that wrote), on
    PostgreSQL. None on SQLite, where one writer at a time commits its ids in order. Other
    databases of the server do not count: they write no row of ours."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT backend_xid::text::bigint FROM pg_stat_activity "
            "WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        )
        return {xid for (xid,) in cursor.fetchall()}


# The chunk being folded: the source rows' facts grouped by every dimension, once, then added to
# each rollup by a GROUP BY of its own dimensions (ADR 0043). A temporary table: per connection.
FOLD_TABLE = "reporting_fold"
_TYPES = {"DateField": "date", "CharField": "text", "IntegerField": "integer", "BigIntegerField": "bigint"}


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _upsert_sql(model, source: str) -> str:
    """Add the rows of `source` (a table with every dimension and measure) to the rollup `model`,
    grouped by its dimensions (a monthly rollup's day: the first of the month; a cohort's: the
    handout's, for the uses whose handout is known): one statement, SQLite and PostgreSQL alike.
    Built from the models' own names only."""
    table = _q(model._meta.db_table)
    day = days_before(_q("day"), _q("delay_days")) if model.BY_HANDOUT else _q("day")
    day = month_of(day) if model.GRAIN == "month" else day
    keys = [day if name == "day" else _q(name) for name in model.DIMENSIONS]
    where = f"{_q('delay_days')} >= 0" if model.BY_HANDOUT else "true"
    columns = ", ".join(_q(c) for c in model.DIMENSIONS + MEASURES)
    sums = ", ".join(f"SUM({_q(m)})" for m in MEASURES)
    add = ", ".join(f"{_q(m)} = {table}.{_q(m)} + EXCLUDED.{_q(m)}" for m in MEASURES)
    # A WHERE always: SQLite would read the ON of ON CONFLICT as a join's otherwise.
    return (
        f"INSERT INTO {table} ({columns}) SELECT {', '.join(keys)}, {sums} FROM {source} WHERE {where} "  # noqa: S608
        f"GROUP BY {', '.join(keys)} ON CONFLICT ({', '.join(_q(c) for c in model.DIMENSIONS)}) DO UPDATE SET {add}"
    )


def _fold_table(cursor) -> None:
    fields = {f.name: f for f in UsageDaily._meta.concrete_fields}
    columns = ", ".join(f"{_q(n)} {_TYPES[fields[n].get_internal_type()]}" for n in DIMENSIONS + MEASURES)
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {FOLD_TABLE} ({columns})")
    cursor.execute(f"DELETE FROM {FOLD_TABLE}")  # noqa: S608


def _fold(source: str, lo: int, hi: int) -> None:
    _, facts_of = SOURCES[source]
    dims = ", ".join(_q(d) for d in DIMENSIONS)
    sums = ", ".join(f"SUM({_q(m)})" for m in MEASURES)
    # Groups whose measures all net out (a use and its cancellation) add nothing.
    nonzero = " OR ".join(f"SUM({_q(m)}) <> 0" for m in MEASURES)
    with connection.cursor() as cursor:
        while lo < hi:
            top = min(hi, lo + CHUNK)
            _fold_table(cursor)
            facts, params = facts_of(lo, top)
            cursor.execute(
                f"INSERT INTO {FOLD_TABLE} SELECT {dims}, {sums} FROM ({facts}) f "  # noqa: S608
                f"GROUP BY {dims} HAVING {nonzero}",
                params,
            )
            for model in ROLLUPS + COHORTS:
                cursor.execute(_upsert_sql(model, FOLD_TABLE))
            lo = top


def rollups_rebuild() -> None:
    """Empty the coarser rollups and sum them again from UsageDaily (after changing one of them)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model in ROLLUPS + COHORTS:
            if model is not UsageDaily:
                model.objects.all().delete()
                cursor.execute(_upsert_sql(model, _q(UsageDaily._meta.db_table)))


def _bound(mark: Watermark, top: int, running: set[int] | None, now) -> int:
    """The id up to which the source may be folded now; notes the next pending bound on mark."""
    if running is None:
        return top
    safe = mark.last_id
    if mark.pending_id is not None and not running & set(mark.pending_xids) and now - mark.pending_at >= SETTLE:
        safe = max(safe, mark.pending_id)
        mark.pending_id = None
    # Keep an unsettled pending bound as it is: replacing it under steady load would push it back
    # for ever.
    if mark.pending_id is None and top > safe:
        mark.pending_id, mark.pending_xids, mark.pending_at = top, sorted(running), now
    return safe


def _within_pass(model, last_id: int, safe: int, rows: int) -> int:
    """The bound that folds at most `rows` rows after last_id (rows, not ids: ids have gaps)."""
    nth = (
        model.objects.filter(pk__gt=last_id, pk__lte=safe).order_by("pk").values_list("pk", flat=True)[rows - 1 : rows]
    )
    return next(iter(nth), safe)


def usage_refresh(*, until: datetime.datetime | None = None) -> dict[str, int]:
    """Fold into UsageDaily the rows each source gained since its watermark; returns
    {source: rows' ids folded}. `until` is the moment the refresh counts as now (tests).

    Two refreshes at once take turns: the first statement updates every watermark row, which
    locks them (PostgreSQL) or takes the database's write lock (SQLite) until commit."""
    with no_jit():
        return _refresh(until or timezone.now())


def _refresh(now) -> dict[str, int]:
    Watermark.objects.bulk_create([Watermark(source=s) for s in SOURCES], ignore_conflicts=True)
    Watermark.objects.update(refreshed_at=now)
    marks = {m.source: m for m in Watermark.objects.filter(source__in=SOURCES)}
    # The highest ids first, then the running transactions: a row with a lower id not visible yet
    # belongs to one of them (ADR 0035).
    tops = {}
    for source, (model, _) in SOURCES.items():
        tops[source] = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    running = _running_xids()
    folded = {}
    for source, mark in marks.items():
        safe = _bound(mark, tops[source], running, now)
        if PASS.get(connection.vendor):
            safe = _within_pass(SOURCES[source][0], mark.last_id, safe, PASS[connection.vendor])
        folded[source] = max(0, safe - mark.last_id)
        if safe > mark.last_id:
            _fold(source, mark.last_id, safe)
            mark.last_id = safe
        mark.save()
    return folded


# The exports' writes (ADR 0042), kept beside their serialisers.
from .exports.services import export_request, export_write, exports_purge  # noqa: E402,F401
