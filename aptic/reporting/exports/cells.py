"""A report's raw values (report.py: counts, cents, Decimal rates, days, dates) as the cells of a
spreadsheet and as the words of a PDF: one place for the units, shared by the three serialisers."""

from decimal import ROUND_HALF_UP, Decimal

from aptic.core import formats
from aptic.core.formats import NBSP
from aptic.core.tabular import Formatted

from ..report import Column, Unit

# What a header says of its column's unit, where the cells are bare numbers.
SUFFIX = {Unit.CENTS: " (€)", Unit.RATE: " (%)", Unit.DAYS: " (jours)"}
UNIT_WORD = {Unit.CENTS: "€", Unit.RATE: "%", Unit.DAYS: "jours"}
PERCENT_FORMAT = "0.0"


def euros(cents: int) -> Decimal:
    """1250 → Decimal('12.50'): written '12,50' in a French CSV, a money-formatted number in a workbook."""
    return Decimal(int(cents)).scaleb(-2)


def percent_number(rate) -> Decimal:
    """Decimal('0.4567') → Decimal('45.7'): a rate as the percentage a spreadsheet shows."""
    return (Decimal(str(rate)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def header(column: Column) -> str:
    return column.label + SUFFIX.get(column.unit, "")


def sheet_value(value, unit: str):
    """The value as a typed cell: euros as Decimal with cents, a rate as its percentage, the rest as is."""
    if value is None:
        return None
    if unit == Unit.CENTS:
        return euros(value)
    if unit == Unit.RATE:
        return Formatted(percent_number(value), PERCENT_FORMAT)
    return value


def chart_number(value, unit: str) -> float:
    """The value a chart plots (euros, percentage points, counts); nothing plots as 0."""
    if value is None or isinstance(value, str):
        return 0.0
    if unit == Unit.CENTS:
        return int(value) / 100
    if unit == Unit.RATE:
        return float(value) * 100
    if unit == Unit.DATE:
        return 0.0
    return float(value)


def words(value, unit: str) -> str:
    """The value as a PDF reads it, in French (aptic.core.formats, with the no-break space Vera has)."""
    if value is None:
        return "—"
    if unit == Unit.CENTS:
        return formats.euros(value, space=NBSP, unit_space=NBSP)
    if unit == Unit.RATE:
        return formats.percent(value, space=NBSP)
    if unit == Unit.DATE or hasattr(value, "year"):
        return formats.date(value)
    if unit == Unit.DAYS:
        return formats.count(value, "jour", space=NBSP)
    if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
        return formats.number(value, space=NBSP)
    return str(value)
