"""The shape of a steering report (issue #14): what a dashboard page shows and what its exports write.

One value object for every role's dashboard (funder, distributor, provider, staff): the selectors
build a `Report`, the pages render it (figures, charts with their tables, map), and the exports
(CSV, XLSX, PDF) serialise the same object, so the page and its files cannot disagree. Values are
raw (integers, cents, `Decimal` rates, dates); formatting the French way happens when rendering
(`aptic.core.formats`), never here."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


class Unit:
    """How a value reads: a count, an amount in cents, a rate (Decimal 0–1, shown as %), days,
    a date, a month (the date of its first day, read "janvier 2026"), or text."""

    COUNT = "count"
    CENTS = "cents"
    RATE = "rate"
    DAYS = "days"
    DATE = "date"
    MONTH = "month"
    TEXT = "text"


TIME_UNITS = (Unit.DATE, Unit.MONTH)  # a first column in these units orders its rows in time


Value = int | Decimal | datetime.date | str | None


@dataclass(frozen=True)
class Figure:
    """One headline number ("Chèques utilisés : 12 340"). `value` None reads "—" (not computable:
    a rate over nothing, a median of no use)."""

    key: str
    label: str
    value: Value
    unit: str = Unit.COUNT
    help: str = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = Unit.TEXT


@dataclass(frozen=True)
class Breakdown:
    """One table of the report, and the chart drawn from it.

    `chart` names how it is drawn ("bar", "line", "none"); the chart plots `value_key` against the
    first column. A "line" is a time series: its rows come in time order (the oldest first), and a
    first column of dates or months (TIME_UNITS) is drawn in date order whatever the rows' order;
    a bar chart over such a column keeps time order too, other bars go the largest first.
    `summary` is the one French sentence that says what the chart shows. `links`,
    when given, holds one URL per row (or "") that the page puts on the row's first cell (the
    staff's drill-down into a funder); exports ignore it. `stacked`: the page's chart draws each
    value column but the last (the total) as a series of stacked bars."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    summary: str = ""
    chart: str = "bar"
    value_key: str = ""
    links: tuple[str, ...] = ()
    # Bar chart of every value column but the last (a total), stacked: one series per column.
    stacked: bool = False


@dataclass(frozen=True)
class MapPoint:
    """A place (or a commune centre) on the report's map, sized by `value`.

    `detail` is a place's commune; a commune carries its `population` and `rate`, the vouchers used
    per 1,000 inhabitants (None when its population is unknown)."""

    label: str
    latitude: float
    longitude: float
    value: int = 0
    kind: str = "place"  # "place" (used), "eligible" (usable, not used), "commune"
    detail: str = ""
    population: int | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class Report:
    """A dashboard: who it is for, under which filters, and what it shows.

    `filters` are the French (label, value) lines stating the view (period, orders, territory…),
    written on the exports' cover and "Filtres" sheet. `brand` is the name printed on white-label
    exports (a Premium funder's own), None for the #APTIC mark."""

    title: str
    organisation: str
    filters: tuple[tuple[str, str], ...]
    figures: tuple[Figure, ...]
    breakdowns: tuple[Breakdown, ...]
    generated_at: datetime.datetime
    points: tuple[MapPoint, ...] = ()
    brand: str | None = None
    notes: tuple[str, ...] = field(default=())

    def breakdown(self, key: str) -> Breakdown:
        for item in self.breakdowns:
            if item.key == key:
                return item
        raise KeyError(key)

    def figure(self, key: str) -> Figure:
        for item in self.figures:
            if item.key == key:
                return item
        raise KeyError(key)
