"""Small shared pieces of the distributor's and provider's reports (ADR 0041): a period's bounds
as usage filters, months, rates."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = Decimal("0.0001")  # a rate to the hundredth of a per cent


def rate(part: int, whole: int) -> Decimal | None:
    """part / whole, rounded half up to 0.01 %; None (read "—") over nothing."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def day_filters(start: datetime.date | None, end: datetime.date | None) -> dict:
    """The period (both days included, either open) as lookups on the usage facts' day."""
    filters = {}
    if start is not None:
        filters["day__gte"] = start
    if end is not None:
        filters["day__lte"] = end
    return filters


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def by_month(rows, measures) -> dict[datetime.date, dict]:
    """Usage rows grouped by day summed into {first day of the month: {measure: total}}."""
    months = defaultdict(lambda: dict.fromkeys(measures, 0))
    for row in rows:
        into = months[month_of(row["day"])]
        for name in measures:
            into[name] += row[name]
    return dict(sorted(months.items()))
