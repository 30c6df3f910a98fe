"""A report's raw values (report.py: counts, cents, Decimal rates, days, dates) as the cells of a
spreadsheet: euros with cents, rates as percentages, the unit in the header. The words of the PDF
and the numbers of its charts are the pages' own (aptic/reporting/formatting.py)."""

import functools
from decimal import Decimal

from aptic.core import formats
from aptic.core.tabular import COUNT_FORMAT, MONTH_FORMAT, Formatted, amount

from ..formatting import value_number, value_text
from ..report import Column, Unit

# What a header says of its column's unit, where the cells are bare numbers.
SUFFIX = {Unit.CENTS: " (€)", Unit.RATE: " (%)", Unit.DAYS: " (jours)"}
UNIT_WORD = {Unit.CENTS: "€", Unit.RATE: "%", Unit.DAYS: "jours"}
# One decimal, as formats.percent writes it; the rare share below 0.05 % shows its own digits.
PERCENT_FORMAT = "0.0##"


@functools.lru_cache(maxsize=4096)
def euros(cents: int) -> Decimal:
    """1250 → Decimal('12.50'): written '12,50' in a French CSV, a money-formatted number in a workbook."""
    return amount(cents)


def header(column: Column) -> str:
    return column.label + SUFFIX.get(column.unit, "")


def sheet_value(value, unit: str):
    """The value as a typed cell: euros as Decimal with cents, a rate as its percentage, a count
    with digit grouping, a month as its first day shown "janvier 2026", the rest as is."""
    if value is None:
        return None
    if unit == Unit.CENTS:
        return euros(value)
    if unit == Unit.RATE:
        return Formatted(Decimal(value_number(value, unit)), PERCENT_FORMAT)
    if unit == Unit.COUNT and isinstance(value, int):
        return Formatted(value, COUNT_FORMAT)
    if unit == Unit.MONTH:
        return Formatted(value, MONTH_FORMAT)
    return value


def chart_number(value, unit: str) -> float:
    """The value a chart plots (euros, percentage points, counts); nothing plots as 0."""
    return float(value_number(value, unit) or 0)


def words(value, unit: str) -> str:
    """The value as the PDF reads it, with the no-break space its font has (aptic/core/pdf.py)."""
    return value_text(value, unit, space=formats.NBSP)
