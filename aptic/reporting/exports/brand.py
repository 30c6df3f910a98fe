"""A white-label report's words (ADR 0042): the file of a Premium funder holds no #APTIC mark, even
where the mark comes with the data (an order named "Chèques #APTIC 2026 — Gironde", a place, a note).

The orders of the filters are written by their number alone ("Commande n° 1"): their names are the
platform's product names. Any other text loses the mark's word ("Chèques #APTIC" → "Chèques")."""

import dataclasses
import re

from aptic.core import formats

from ..report import Report

MARK = re.compile(r"\s*#?\bAPTIC\b", re.IGNORECASE)
ORDER = re.compile(r"Commande n° (\d+)")
ORDERS_LINE = "Commandes"


def unmarked_text(value):
    if not isinstance(value, str) or not MARK.search(value):
        return value
    return " ".join(MARK.sub(" ", value).split()) or "—"


def _filter_line(label: str, value: str) -> tuple[str, str]:
    if label == ORDERS_LINE:
        numbers = dict.fromkeys(ORDER.findall(value))  # in their order, once each
        value = formats.join(f"Commande n° {number}" for number in numbers) or value
    return unmarked_text(label), unmarked_text(value)


def _rows(rows):
    return tuple(tuple(unmarked_text(cell) for cell in row) for row in rows)


def unmarked(report: Report) -> Report:
    """The report as a white-label file writes it; the report itself when it carries #APTIC's mark."""
    if not report.brand:
        return report
    text = unmarked_text
    return dataclasses.replace(
        report,
        title=text(report.title),
        organisation=text(report.organisation),
        filters=tuple(_filter_line(label, value) for label, value in report.filters),
        figures=tuple(
            dataclasses.replace(f, label=text(f.label), value=text(f.value), help=text(f.help)) for f in report.figures
        ),
        breakdowns=tuple(
            dataclasses.replace(
                b,
                title=text(b.title),
                summary=text(b.summary),
                columns=tuple(dataclasses.replace(c, label=text(c.label)) for c in b.columns),
                rows=_rows(b.rows),
            )
            for b in report.breakdowns
        ),
        points=tuple(dataclasses.replace(p, label=text(p.label), detail=text(p.detail)) for p in report.points),
        notes=tuple(text(note) for note in report.notes),
    )
