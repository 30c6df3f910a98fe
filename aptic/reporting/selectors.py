"""Reading the usage figures: the rollups plus the live tail (the source rows after the watermark,
aggregated on the fly), so that a use counts the moment it is committed (ADR 0035).

Each query reads the smallest rollup holding every dimension it groups or filters by (ADR 0043);
a monthly rollup answers the whole months of a period, a daily one its first and last days. Within
`usage_snapshot()` (a page, an export) the watermarks and the live tail are read once, not once per
query (ADR 0048)."""

import contextvars
import datetime
import operator
from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction

from . import models
from .facts import READ_SETTINGS, SOURCES, days_before, no_jit, quoted
from .models import COHORTS, DIMENSIONS, MEASURES, UsageDaily, UsageFunderDaily, Watermark

_SQL = {"exact": "= %s", "gt": "> %s", "gte": ">= %s", "lt": "< %s", "lte": "<= %s"}
# The rollups the selectors may read, smallest first (the tests narrow it to the finest).
ROLLUPS = models.ROLLUPS


def _checked(group_by, filters) -> tuple[tuple, list]:
    """The group_by and the filters (Django lookups on dimensions) as (name, kind, value)."""
    for name in group_by:
        if name not in DIMENSIONS:
            raise ValueError(f"unknown usage dimension {name!r}")
    checked = []
    for lookup, value in filters.items():
        name, _, kind = lookup.partition("__")
        kind = kind or "exact"
        if name not in DIMENSIONS or kind not in (*_SQL, "in"):
            raise ValueError(f"unknown usage filter {lookup!r}")
        checked.append((name, kind, list(value) if kind == "in" else value))
    return tuple(group_by), checked


def _handout_day() -> str:
    """SQL of a use's handout day (its day minus its delay), for the usage rate's cohorts."""
    q = connection.ops.quote_name
    return days_before(q("day"), q("delay_days"))


def _where(filters, by_handout=False) -> tuple[str, list]:
    """SQL of the filters; by_handout: "day" is the handout's, and only uses with one count."""
    sql, params = ["1 = 1"], []
    if by_handout:
        filters = [*filters, ("delay_days", "gte", 0)]
    for name, kind, value in filters:
        column = _handout_day() if by_handout and name == "day" else connection.ops.quote_name(name)
        if kind == "in":
            sql.append(f"{column} IN ({', '.join(['%s'] * len(value))})" if value else "1 = 0")
            params.extend(value)
        else:
            sql.append(f"{column} {_SQL[kind]}")
            params.append(value)
    return " AND ".join(sql), params


def _tail(marks: dict, group_by: tuple, filters: list, pushed: dict, sources=tuple(SOURCES), by_handout=False) -> list:
    """The facts of the rows after the watermarks, grouped and filtered by the database."""
    parts, params = [], []
    for source in sources:
        sql, part_params = SOURCES[source][1](marks.get(source, 0), None, pushed)
        parts.append(sql)
        params += part_params
    return _grouped(f"({' UNION ALL '.join(parts)}) f", params, group_by, filters, by_handout)


def _sums() -> str:
    """The measures' sums; PostgreSQL's SUM of a bigint is a numeric, read as a Decimal: cast back."""
    cast = "CAST(SUM({}) AS BIGINT)" if connection.vendor == "postgresql" else "SUM({})"
    return ", ".join(cast.format(m) for m in MEASURES)


def _grouped(source: str, params: list, group_by: tuple, filters: list, by_handout=False) -> list:
    """The measures of `source` (SQL of a table or subquery with every dimension) grouped and
    filtered by the database, as tuples (the groups' values, then the measures)."""
    where, where_params = _where(filters, by_handout)
    columns = ", ".join(connection.ops.quote_name(name) for name in group_by)
    sums = _sums()
    sql = f"SELECT {columns + ', ' if columns else ''}{sums} FROM {source} WHERE {where}"  # noqa: S608
    if columns:
        sql += f" GROUP BY {columns}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params + where_params)
        return cursor.fetchall()


def _state() -> tuple[dict, dict, tuple]:
    """In one statement: each source's watermark and whether rows follow it (a source with none
    needs no tail query), and the first and last days the rollups hold."""
    marks = quoted(Watermark)
    parts = []
    for source, (model, _) in SOURCES.items():
        mark = f"COALESCE((SELECT last_id FROM {marks} WHERE source = '{source}'), 0)"  # noqa: S608
        # The highest id (one index probe), not EXISTS (… id > mark): PostgreSQL plans that one
        # as a sequential scan, not knowing the mark (35 ms at 200,000 events).
        after = f"COALESCE((SELECT MAX(id) FROM {quoted(model)}), 0) > {mark}"  # noqa: S608
        parts += [mark, after]
    days = quoted(UsageFunderDaily)
    parts += [f"(SELECT MIN(day) FROM {days})", f"(SELECT MAX(day) FROM {days})"]  # noqa: S608
    if connection.vendor == "postgresql":
        # facts.no_jit's settings, in the same round trip.
        parts += list(READ_SETTINGS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")
        row = cursor.fetchone()
    sources = list(SOURCES)
    marks = {source: row[2 * n] for n, source in enumerate(sources)}
    pending = {source for n, source in enumerate(sources) if row[2 * n + 1]}
    first, last = row[2 * len(sources) : 2 * len(sources) + 2]
    return marks, pending, (_day(first), _day(last))


def _marks() -> dict:
    """Each source's watermark, 0 before its first refresh (as _state reads it)."""
    return dict.fromkeys(SOURCES, 0) | dict(Watermark.objects.values_list("source", "last_id"))


def _day(value):
    """A day read back from SQLite's text, or an ISO date given as a filter, as a date."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _period(filters) -> tuple | None:
    """The first and last days the day filters allow (None: unbounded), or None if they are not
    plain bounds (day exact, day in, or not dates)."""
    first = last = None
    for name, kind, value in filters:
        if name != "day":
            continue
        if kind not in ("gt", "gte", "lt", "lte") or not isinstance(value, datetime.date):
            return None
        value = value.date() if isinstance(value, datetime.datetime) else value
        if kind in ("gt", "gte"):
            day = value + datetime.timedelta(days=kind == "gt")
            first = day if first is None else max(first, day)
        else:
            day = value - datetime.timedelta(days=kind == "lt")
            last = day if last is None else min(last, day)
    return first, last


def _plan(group_by: tuple, filters: list, span, grains=("day", "month"), rollups=None) -> list | None:
    """[(rollup, filters)] whose sums together are the answer: the smallest rollup holding every
    dimension of the query; a monthly one reads the whole months of the period, its first and last
    days coming from a daily one. `span` is the (first, last) day the rollups hold."""
    needed = set(group_by) | {name for name, _, _ in filters}
    others = [f for f in filters if f[0] != "day"]
    for model in rollups or ROLLUPS:
        if model.GRAIN not in grains or not needed <= set(model.DIMENSIONS):
            continue
        if model.GRAIN == "day":
            return [(model, filters)]
        period = _period(filters)
        if "day" in group_by or period is None:
            continue
        first, last = period
        # A bound beyond the days the rollups hold cuts no month.
        if first is not None and (span[0] is None or first <= span[0]):
            first = None
        if last is not None and (span[1] is None or last >= span[1]):
            last = None
        start = first if first is None or first.day == 1 else _next_month(first)
        # A last day within its month: the whole months end before that month's start (exclusive).
        end_exclusive = last is not None and _next_month(last) - datetime.timedelta(days=1) != last
        end = _month_start(last) if end_exclusive else last
        if start is not None and end is not None and (start >= end if end_exclusive else start > end):
            continue  # no whole month: the daily rollups answer
        whole = [*others]
        if start is not None:
            whole.append(("day", "gte", start))
        if end is not None:
            whole.append(("day", "lt" if end_exclusive else "lte", end))
        plan = [(model, whole)]
        edges = []
        if first is not None and start != first:
            edges.append((first, start - datetime.timedelta(days=1)))
        if end_exclusive:
            edges.append((end, last))
        for low, high in edges:
            edge = _plan(group_by, [*others, ("day", "gte", low), ("day", "lte", high)], span, ("day",), rollups)
            if edge is None:
                return None
            plan += edge
        return plan
    return None


def _rollups(group_bys: list, filters: list, span, totals: list, by_handout=False) -> None:
    """Add the rollups' figures of each group_by into totals (one dict per group_by)."""
    if by_handout:
        for group_by, into in zip(group_bys, totals, strict=True):
            _cohorts(group_by, filters, into)
        return
    # The queries reading the same rollup under the same filters share one statement (ADR 0061).
    reads: dict = defaultdict(list)
    for n, plan in enumerate(_shared(group_bys, filters, span)):
        for model, where in plan:
            reads[model, _key(where)].append((n, where))
    for (model, _), asked in reads.items():
        groups = [group_bys[n] for n, _ in asked]
        for (n, _), rows in zip(asked, _grouped_sets(quoted(model), asked[0][1], groups), strict=True):
            _add_rows(rows, group_bys[n], totals[n])


def _shared(group_bys: list, filters: list, span) -> list:
    """The plan of each group_by; when one of them must read the finest rollup under the whole
    filters, those reading the monthly cube (as many rows for a funder) ride on that read instead."""
    plans = [_plan(group_by, filters, span) for group_by in group_bys]
    finest = [(ROLLUPS[-1], filters)]
    if len(plans) > 1 and finest in plans:
        big = {models.UsageMonthly, models.UsageDaily}
        plans = [finest if any(model in big for model, _ in plan) else plan for plan in plans]
    return plans


def _key(where: list) -> tuple:
    return tuple((name, kind, tuple(value) if isinstance(value, list) else value) for name, kind, value in where)


def _grouped_sets(source: str, filters: list, group_bys: list) -> list[list]:
    """_grouped() of each group_by over the same rows: on PostgreSQL one statement with GROUPING
    SETS (the rows read once), one statement each elsewhere (SQLite has none)."""
    distinct = list(dict.fromkeys(frozenset(g) for g in group_bys))
    if connection.vendor != "postgresql" or len(distinct) < 2:
        return [_grouped(source, [], group_by, filters) for group_by in group_bys]
    columns = sorted(set().union(*distinct), key=DIMENSIONS.index)
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns)
    sets = ", ".join(f"({', '.join(q(c) for c in columns if c in g)})" for g in distinct)
    where, params = _where(filters)
    sums = _sums()
    sql = f"SELECT {names}, GROUPING({names}), {sums} FROM {source} WHERE {where} GROUP BY GROUPING SETS ({sets})"  # noqa: S608
    # GROUPING() sets the bit of each column a row is not grouped by, the first column highest.
    mask = {g: sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in g) for g in distinct}
    found: dict = {bits: [] for bits in mask.values()}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            found[row[len(columns)]].append(row)
    answers = []
    for group_by in group_bys:
        at = [columns.index(c) for c in group_by]
        answers.append([(*(row[i] for i in at), *row[len(columns) + 1 :]) for row in found[mask[frozenset(group_by)]]])
    return answers


def _cohorts(group_by: tuple, filters: list, totals: dict) -> None:
    """The uses by handout day: from the cohorts when they hold every dimension of the query (the
    handout days they hold are not the use days of `span`: no bound dropped), else grouped by the
    database from UsageDaily."""
    if set(group_by) | {name for name, _, _ in filters} <= set(COHORTS[-1].DIMENSIONS):
        for model, where in _plan(group_by, filters, (datetime.date.min, datetime.date.max), rollups=COHORTS):
            _add_rows(_grouped(quoted(model), [], group_by, where), group_by, totals)
    else:
        _add_rows(_grouped(quoted(UsageDaily), [], group_by, filters, by_handout=True), group_by, totals)


def _add_rows(rows, group_by: tuple, totals: dict) -> None:
    """Add rows (the groups' values, then the measures) into totals, by group."""
    width = len(group_by)
    day = group_by.index("day") if "day" in group_by else None
    for row in rows:
        key = tuple(row[:width])
        if day is not None and isinstance(key[day], str):  # SQLite's text
            key = (*key[:day], _day(key[day]), *key[day + 1 :])
        into = totals[key]
        for name, value in zip(MEASURES, row[width:], strict=True):
            if value:
                into[name] += int(value)


def _new_totals(count: int) -> list:
    return [defaultdict(lambda: dict.fromkeys(MEASURES, 0)) for _ in range(count)]


def _read(group_bys: list, filters: list, lookups: dict, by_handout: bool) -> tuple[list, dict]:
    marks, pending, span = _state()
    totals = _new_totals(len(group_bys))
    _rollups(group_bys, filters, span, totals, by_handout)
    if pending:
        sources = [s for s in SOURCES if s in pending]
        for group_by, into in zip(group_bys, totals, strict=True):
            _add_rows(_tail(marks, group_by, filters, lookups, sources, by_handout), group_by, into)
    return totals, marks


# The snapshot of a page: its watermarks, pending sources and span, and the tail of each funder it
# read (every dimension, so that each query filters and groups it in Python).
_snapshot = contextvars.ContextVar("usage_snapshot", default=None)
_COMPARE = {"exact": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


@contextmanager
def usage_snapshot():
    """Within it, usage() reads the watermarks and the live tail once per funder (or once for all),
    not at each query: under 100 uses/s a page's ten queries each ran the tail's joins (ADR 0048).
    Nested snapshots share the outer one."""
    if _snapshot.get() is not None:
        yield
        return
    token = _snapshot.set({})
    try:
        yield
    finally:
        _snapshot.reset(token)


def _like(sample, value):
    """A filter's value as the type of the tail's column (SQL compares '42' and 42; Python not)."""
    if isinstance(sample, datetime.date):
        return _day(value.date() if isinstance(value, datetime.datetime) else value)
    if isinstance(sample, int) and not isinstance(value, int):
        return int(value)
    return str(value) if isinstance(sample, str) and not isinstance(value, str) else value


def _matches(row: dict, filters: list) -> bool:
    for name, kind, value in filters:
        sample = row[name]
        try:
            if kind == "in":
                if not any(sample == _like(sample, v) for v in value):
                    return False
            elif not _COMPARE[kind](sample, _like(sample, value)):
                return False
        except (TypeError, ValueError):
            return False  # a value of another type matches nothing, as in SQL
    return True


def _snapshot_state(snapshot: dict, lookups: dict) -> tuple:
    """The snapshot's state and the tail of these lookups' funder (read on first use)."""
    if "state" not in snapshot:
        with transaction.atomic():  # the settings of _state last until its end
            snapshot["state"] = _state()
    marks, pending, span = snapshot["state"]
    funder = lookups.get("funder_id")
    key = funder if isinstance(funder, int) else None
    if key not in snapshot:
        pushed = {"funder_id": key} if key is not None else {}
        rows = []
        if pending:
            with no_jit():
                for row in _tail(marks, DIMENSIONS, [], pushed, [s for s in SOURCES if s in pending]):
                    values = dict(zip(DIMENSIONS, row, strict=False))
                    values["day"] = _day(values["day"])
                    rows.append((values, row[len(DIMENSIONS) :]))
        snapshot[key] = rows
    return marks, span, snapshot[key]


def _by_handout(tail: list) -> list:
    """The tail's uses whose handout is known, their day being the handout's."""
    return [
        (values | {"day": values["day"] - datetime.timedelta(days=values["delay_days"])}, measures)
        for values, measures in tail
        if values["delay_days"] >= 0
    ]


def _read_in_snapshot(
    snapshot: dict, group_bys: list, filters: list, lookups: dict, by_handout: bool
) -> tuple[list, dict]:
    marks, span, tail = _snapshot_state(snapshot, lookups)
    totals = _new_totals(len(group_bys))
    with no_jit():  # as _state's settings do outside a snapshot: JIT took seconds on the daily rollup
        _rollups(group_bys, filters, span, totals, by_handout)
    if by_handout:
        tail = _by_handout(tail)
    tail = [row for row in tail if _matches(row[0], filters)]
    for group_by, into in zip(group_bys, totals, strict=True):
        _add_rows([(*(values[n] for n in group_by), *measures) for values, measures in tail], group_by, into)
    return totals, marks


def usage(*, group_by=(), **filters) -> list[dict]:
    """The measures summed by the dimensions of group_by, for the facts matching filters (lookups
    on dimensions: funder_id=…, day__gte=…, commune__in=…). One dict per group, with its
    dimensions and every measure; groups whose measures are all zero are left out."""
    return _usage([group_by], filters, by_handout=False)[0]


def usage_sets(*group_bys, **filters) -> list[list[dict]]:
    """usage(group_by=…) of each of group_bys, under the same filters, in that order: the queries
    reading the same rollup share one read of its rows (a page's breakdowns, ADR 0061)."""
    return _usage(list(group_bys), filters, by_handout=False)


def usage_by_handout(*, group_by=(), **filters) -> list[dict]:
    """As usage(), for the uses of the vouchers whose handout is known, "day" standing for the day
    of their handout, not of their use (the usage rate's cohorts, ADR 0055): day__gte=… and
    day__lte=… select the vouchers handed out in that period, whenever they were used."""
    return _usage([group_by], filters, by_handout=True)[0]


def _usage(group_bys: list, filters: dict, by_handout: bool) -> list[list[dict]]:
    group_bys = [_checked(group_by, {})[0] for group_by in group_bys]
    _, checked = _checked((), filters)
    # A refresh committing between the reads would count its rows twice (in the rollups and in
    # the tail): read again when the watermarks moved meanwhile.
    snapshot = _snapshot.get()
    for _ in range(5):
        if snapshot is not None:
            totals, marks = _read_in_snapshot(snapshot, group_bys, checked, filters, by_handout)
        else:
            with transaction.atomic():  # the settings of _state last until its end
                totals, marks = _read(group_bys, checked, filters, by_handout)
        if _marks() == marks:
            break
        if snapshot is not None:
            snapshot.clear()  # a refresh folded the tail meanwhile: read it again
    return [
        [
            dict(zip(group_by, key, strict=True)) | {m: int(v) for m, v in measures.items()}
            for key, measures in sorted(found.items(), key=lambda item: tuple(map(str, item[0])))
            if any(measures.values())
        ]
        for group_by, found in zip(group_bys, totals, strict=True)
    ]


def usage_totals(**filters) -> dict:
    """Every measure summed over the facts matching filters."""
    rows = usage(**filters)
    return rows[0] if rows else dict.fromkeys(MEASURES, 0)


def usage_median_delay(**filters) -> int | None:
    """Median days from handout to use of the vouchers used (those whose handout is known)."""
    return median_delay(usage(group_by=["delay_days"], delay_days__gte=0, **filters))


def median_delay(rows) -> int | None:
    """The median of usage rows grouped by delay_days (the uses of vouchers whose handout is
    unknown, delay -1, left out): a page reads them with its other breakdowns (usage_sets)."""
    counts = sorted((row["delay_days"], row["used"]) for row in rows if row["delay_days"] >= 0)
    total = sum(n for _, n in counts)
    if total <= 0:
        return None
    seen = 0
    for delay, n in counts:
        seen += n
        if 2 * seen >= total:
            return delay
    return None
