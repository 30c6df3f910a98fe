"""Reading the usage figures: the rollups plus the live tail (the source rows after the watermark,
aggregated on the fly), so that a use counts the moment it is committed (ADR 0035)."""

import operator
from collections import defaultdict

from django.db.models import Sum

from .facts import SOURCES, no_jit
from .models import DIMENSIONS, MEASURES, UsageDaily, Watermark

_LOOKUPS = {
    "exact": operator.eq,
    "in": lambda value, wanted: value in wanted,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _matcher(filters: dict):
    """The filters (Django lookups on dimensions) as a test on a fact's dimensions tuple."""
    tests = []
    for lookup, wanted in filters.items():
        name, _, kind = lookup.partition("__")
        if name not in DIMENSIONS or (kind or "exact") not in _LOOKUPS:
            raise ValueError(f"unknown usage filter {lookup!r}")
        if kind == "in":
            wanted = set(wanted)
        tests.append((DIMENSIONS.index(name), _LOOKUPS[kind or "exact"], wanted))
    return lambda key: all(test(key[i], wanted) for i, test, wanted in tests)


def _tail(marks: dict, group_by: tuple, filters: dict, matches) -> dict:
    positions = [DIMENSIONS.index(name) for name in group_by]
    totals = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    for source, (_, facts_of) in SOURCES.items():
        for key, measures in facts_of(marks.get(source, 0), None, filters).items():
            if matches(key):
                row = totals[tuple(key[i] for i in positions)]
                for name, value in measures.items():
                    row[name] += value
    return totals


def _marks() -> dict:
    return dict(Watermark.objects.values_list("source", "last_id"))


def usage(*, group_by=(), **filters) -> list[dict]:
    """The measures summed by the dimensions of group_by, for the facts matching filters (lookups
    on dimensions: funder_id=…, day__gte=…, commune__in=…). One dict per group, with its
    dimensions and every measure; groups whose measures are all zero are left out."""
    group_by = tuple(group_by)
    for name in group_by:
        if name not in DIMENSIONS:
            raise ValueError(f"unknown usage dimension {name!r}")
    matches = _matcher(filters)
    # A refresh committing between the reads would count its rows twice (in the rollups and in
    # the tail): read again when the watermarks moved meanwhile.
    for _ in range(5):
        with no_jit():
            totals, marks = _read(group_by, filters, matches)
        if _marks() == marks:
            break
    return [
        dict(zip(group_by, key, strict=True)) | measures
        for key, measures in sorted(totals.items(), key=lambda item: tuple(map(str, item[0])))
        if any(measures.values())
    ]


def _read(group_by, filters, matches) -> tuple[dict, dict]:
    marks = _marks()
    rollups = UsageDaily.objects.filter(**filters).values(*group_by).annotate(**{m: Sum(m) for m in MEASURES})
    totals = _tail(marks, group_by, filters, matches)
    for row in rollups.order_by():
        into = totals[tuple(row[name] for name in group_by)]
        for name in MEASURES:
            into[name] += row[name] or 0
    return totals, marks


def usage_totals(**filters) -> dict:
    """Every measure summed over the facts matching filters."""
    rows = usage(**filters)
    return rows[0] if rows else dict.fromkeys(MEASURES, 0)


def usage_median_delay(**filters) -> int | None:
    """Median days from handout to use of the vouchers used (those whose handout is known)."""
    counts = [(row["delay_days"], row["used"]) for row in usage(group_by=["delay_days"], delay_days__gte=0, **filters)]
    total = sum(n for _, n in counts)
    if total <= 0:
        return None
    seen = 0
    for delay, n in sorted(counts):
        seen += n
        if 2 * seen >= total:
            return delay
    return None
