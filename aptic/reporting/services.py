"""Keeping the usage rollups (ADR 0035): fold what the source tables gained since the watermark.

Nothing here runs on the redemption's path: the periodic work calls usage_refresh every 30 s or
so, and the selectors add what is not folded yet (the live tail), so figures are current anyway."""

import datetime

from django.db import connection
from django.utils import timezone

from .facts import SOURCES, no_jit
from .models import DIMENSIONS, MEASURES, UsageDaily, Watermark

# Ids folded per pass: bounds the memory of a catch-up (an order's million expiry events).
CHUNK = 50_000
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


# Rows per INSERT on SQLite, within its limit of bound parameters.
UPSERT_ROWS = 1000


def _upsert_sql(rows: str) -> str:
    """Add to the rows of the same dimensions, or insert them (SQLite and PostgreSQL alike); `rows`
    is a VALUES list or a SELECT. Built from the model's own names only."""
    q = connection.ops.quote_name
    table = q(UsageDaily._meta.db_table)
    columns = ", ".join(q(c) for c in DIMENSIONS + MEASURES)
    key = ", ".join(q(c) for c in DIMENSIONS)
    add = ", ".join(f"{q(m)} = {table}.{q(m)} + EXCLUDED.{q(m)}" for m in MEASURES)
    return f"INSERT INTO {table} ({columns}) {rows} ON CONFLICT ({key}) DO UPDATE SET {add}"  # noqa: S608


def _array_types() -> list[str]:
    types = {"DateField": "date", "CharField": "text", "IntegerField": "integer", "BigIntegerField": "bigint"}
    return [types[UsageDaily._meta.get_field(name).get_internal_type()] for name in DIMENSIONS + MEASURES]


def _upsert(facts: dict) -> None:
    # Each key once per statement (the facts are a dict): PostgreSQL refuses to update a row twice.
    rows = [key + tuple(measures[m] for m in MEASURES) for key, measures in facts.items() if any(measures.values())]
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column: a single statement whatever the rows, cheap to bind.
            arrays = ", ".join(f"%s::{kind}[]" for kind in _array_types())
            select = f"SELECT * FROM unnest({arrays})"  # noqa: S608 (types from the model)
            cursor.execute(_upsert_sql(select), [list(column) for column in zip(*rows, strict=True)])
            return
        width = len(DIMENSIONS) + len(MEASURES)
        for start in range(0, len(rows), UPSERT_ROWS):
            batch = rows[start : start + UPSERT_ROWS]
            values = "VALUES " + ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(batch))
            cursor.execute(_upsert_sql(values), [value for row in batch for value in row])


def _fold(source: str, lo: int, hi: int) -> None:
    _, facts_of = SOURCES[source]
    while lo < hi:
        top = min(hi, lo + CHUNK)
        _upsert(facts_of(lo, top))
        lo = top


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
