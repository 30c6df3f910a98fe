"""A report as CSV for French Excel and as an XLSX workbook (ADR 0042), through aptic.core.tabular,
the one writer that types the cells and neutralises formula-looking text.

The CSV holds the whole view in one sheet, block after block, each block a title line then its table
(header line and rows) and a blank line: the report (title, organisation, date), "Filtres",
"Chiffres clés" (indicator, value, unit), then every breakdown in the page's order. The workbook puts
the same blocks on their own sheets: "Filtres" first (with the title, organisation and date),
"Chiffres clés", then one sheet per breakdown, each with its frozen header."""

import io
from collections.abc import Iterator

from aptic.core import tabular

from ..report import Breakdown, Report, Unit
from .brand import unmarked
from .cells import UNIT_WORD, header, sheet_value

FILTERS_TITLE = "Filtres"
FIGURES_TITLE = "Chiffres clés"
FIGURES_HEADER = ("Indicateur", "Valeur", "Unité")


def _about(report: Report) -> list[tuple]:
    return [
        ("Rapport", report.title),
        ("Organisation", report.organisation),
        ("Édité le", report.generated_at),
    ]


def _figure_rows(report: Report) -> Iterator[tuple]:
    for figure in report.figures:
        yield figure.label, sheet_value(figure.value, figure.unit), UNIT_WORD.get(figure.unit, "")


def _breakdown_rows(breakdown: Breakdown) -> Iterator[tuple]:
    units = [column.unit for column in breakdown.columns]
    for row in breakdown.rows:
        yield tuple(sheet_value(value, unit) for value, unit in zip(row, units, strict=True))


def _csv_lines(report: Report) -> Iterator[tuple]:
    yield from _about(report)[1:]
    for note in report.notes:
        yield ("Note", note)
    yield ()
    yield (FILTERS_TITLE,)
    yield from report.filters
    yield ()
    yield (FIGURES_TITLE,)
    yield FIGURES_HEADER
    yield from _figure_rows(report)
    for breakdown in report.breakdowns:
        yield ()
        yield (breakdown.title,)
        yield tuple(header(column) for column in breakdown.columns)
        yield from _breakdown_rows(breakdown)


def report_csv(report: Report) -> bytes:
    """The CSV French Excel opens as it is (";", UTF-8 with a BOM, decimal comma, JJ/MM/AAAA)."""
    report = unmarked(report)
    return tabular.csv_bytes(("Rapport", report.title), _csv_lines(report), dialect=tabular.FRENCH_EXCEL)


def _filter_rows(report: Report) -> Iterator[tuple]:
    yield from _about(report)[1:]
    yield from report.filters
    for note in report.notes:
        yield ("Note", note)


def report_sheets(report: Report) -> Iterator[tabular.Sheet]:
    yield tabular.Sheet(FILTERS_TITLE, ("Rapport", report.title), _filter_rows(report), widths=(24, 70))
    yield tabular.Sheet(FIGURES_TITLE, FIGURES_HEADER, _figure_rows(report), widths=(45, 16, 8))
    for breakdown in report.breakdowns:
        widths = [40 if column.unit == Unit.TEXT else 16 for column in breakdown.columns]
        yield tabular.Sheet(
            breakdown.title, [header(c) for c in breakdown.columns], _breakdown_rows(breakdown), widths=widths
        )


def report_xlsx(report: Report) -> bytes:
    """One sheet stating the filters, one of key figures, one per breakdown; typed numbers and dates."""
    buffer = io.BytesIO()
    tabular.xlsx_write(buffer, report_sheets(unmarked(report)))
    return buffer.getvalue()
