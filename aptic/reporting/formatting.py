"""A Report's values as people read them (pages) and as charts plot them, by their unit: the one
place that maps `report.Unit` onto `aptic.core.formats`."""

from dataclasses import dataclass
from decimal import Decimal

from aptic.core import formats

from .report import TIME_UNITS, Breakdown, Unit

NONE = "—"  # a value that cannot be computed (a rate over nothing, a median of no use)


def value_text(value, unit: str, *, space: str = formats.NNBSP) -> str:
    """12340 → '12 340', 1250 cents → '12,50 €', Decimal('0.457') → '45,7 %', None → '—'. A PDF
    drawn with Vera asks for space=formats.NBSP (aptic/core/formats.py)."""
    if value is None or value == "":
        return NONE
    if unit == Unit.COUNT:
        return formats.number(value, space=space)
    if unit == Unit.CENTS:
        # Pages keep the ordinary space before €; a PDF a no-break one, lest "€" start a line.
        return formats.euros(value, space=space, unit_space=" " if space == formats.NNBSP else space)
    if unit == Unit.RATE:
        return formats.percent(value, space=space)
    if unit == Unit.DAYS:
        return formats.count(value, "jour", space=space)
    if unit == Unit.DATE:
        return formats.date(value)
    if unit == Unit.MONTH:
        return formats.month(value)
    return str(value)


def value_number(value, unit: str) -> str:
    """The number a chart plots, as a plain decimal string (euros, percents), "" when there is none."""
    if value is None or unit in TIME_UNITS or unit == Unit.TEXT or isinstance(value, str):
        return ""
    if unit == Unit.CENTS:
        return str(Decimal(value) / 100)
    if unit == Unit.RATE:
        return str(formats.percent_points(value))
    return str(value)


@dataclass(frozen=True)
class Cell:
    text: str
    number: str
    numeric: bool


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    link: str = ""


@dataclass(frozen=True)
class Table:
    """A breakdown ready for its template: formatted cells, and which column the chart plots."""

    columns: tuple
    rows: tuple[Row, ...]
    value_index: int | None
    value_unit: str


def table(breakdown: Breakdown) -> Table:
    units = [c.unit for c in breakdown.columns]
    numeric = [u not in TIME_UNITS and u != Unit.TEXT for u in units]
    links = breakdown.links or ("",) * len(breakdown.rows)
    rows = tuple(
        Row(
            tuple(Cell(value_text(v, u), value_number(v, u), n) for v, u, n in zip(row, units, numeric, strict=True)),
            link,
        )
        for row, link in zip(breakdown.rows, links, strict=True)
    )
    keys = [c.key for c in breakdown.columns]
    index = keys.index(breakdown.value_key) if breakdown.value_key in keys else None
    if breakdown.chart == "none" or index is None or index == 0 or not numeric[index]:
        index = None
    return Table(breakdown.columns, rows, index, units[index] if index is not None else "")
