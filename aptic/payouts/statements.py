"""A payout's statement for its provider, as CSV, XLSX and PDF: every voucher (serial number, date, place,
service, amount), then the face value, the subscription netted and the amount transferred. Each says
which days of use it covers, and why when they come before the run's month (the CSV and the workbook
under their totals, ADR 0058); the PDF numbers its pages."""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from aptic.core import formats, tabular
from aptic.core.pdf import FONT, FONT_BOLD, euros, register_fonts
from aptic.core.pdf_pages import NumberedCanvas

from .models import Payout, PayoutStatus, RunKind
from .selectors import statement_rows, statement_span

HEADER = ["Numéro de chèque", "Date", "Lieu", "Service", "Montant (€)"]


def filename(payout: Payout, extension: str) -> str:
    return f"releve-{payout.reference}.{extension}"


def _status_line(payout: Payout) -> str:
    if payout.status == PayoutStatus.REJECTED:
        return f"Virement rejeté par la banque : {payout.rejection_reason}. Ces chèques seront remboursés à nouveau."
    if payout.status == PayoutStatus.HELD:
        return f"Retenu : {payout.hold_reason}"
    if payout.status == PayoutStatus.SENT:
        return "Payé." if payout.run.status == "paid" else "Virement transmis à la banque."
    return payout.get_status_display() + "."


PERIOD_LABEL, NOTE_LABEL = "Période couverte", "Note"


def _period(payout: Payout) -> tuple[str, list[str]]:
    """The days of use the statement covers ("" when none), and why when they come before the
    run's month: a monthly run also pays what older months left owing."""
    first, last = statement_span(payout)
    if first is None:
        return "", ["Aucun chèque dans ce relevé."]
    covered = f"utilisations du {formats.date(first)} au {formats.date(last)}"
    run = payout.run
    if run.kind == RunKind.MONTHLY and run.period_start:
        if timezone.localdate(first) < run.period_start:
            return covered, [
                f"Le virement mensuel pour {formats.month(run.period_start)} règle aussi les utilisations "
                "des mois précédents qui n'avaient pas encore été payées."
            ]
        return covered, []
    return covered, [
        f"Ce virement à la demande règle les utilisations antérieures au {formats.date_time(run.cutoff)} "
        "qui n'avaient pas encore été payées."
    ]


def period_lines(payout: Payout) -> list[str]:
    """The period as the PDF states it, in sentences."""
    covered, notes = _period(payout)
    return ([f"{PERIOD_LABEL} : {covered}."] if covered else []) + notes


def _period_rows(payout: Payout) -> list[list]:
    """The same under the totals of the CSV and the workbook: a label, then the text, in the first two
    columns (the table's header stays the first line, for whoever reads it as data)."""
    covered, notes = _period(payout)
    return ([[PERIOD_LABEL, covered]] if covered else []) + [[NOTE_LABEL, note] for note in notes]


def _table(payout: Payout) -> list[list]:
    rows: list[list] = [
        [serial, at, place, service, tabular.amount(cents)]
        for serial, at, place, service, cents in statement_rows(payout)
    ]
    rows.append([])
    rows.append(["Valeur des chèques", "", "", "", tabular.amount(payout.gross_cents)])
    rows.append(["Abonnement déduit (TTC)", "", "", "", tabular.amount(-(payout.fee_cents + payout.vat_cents))])
    rows.append(["Montant viré", "", "", "", tabular.amount(payout.net_cents)])
    rows.append([])
    rows.extend(_period_rows(payout))
    return rows


def statement_csv(payout: Payout) -> bytes:
    """French Excel's CSV (";", decimal comma, a BOM so that accents open right), through the one
    writer that neutralises formula-looking names (aptic.core.tabular)."""
    return tabular.csv_bytes(HEADER, _table(payout), dialect=tabular.FRENCH_EXCEL)


def statement_xlsx(payout: Payout) -> bytes:
    return tabular.xlsx_bytes(HEADER, _table(payout), title=f"Relevé {payout.reference}", widths=(24, 17, 40, 40, 14))


def statement_pdf(payout: Payout) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Relevé de remboursement {payout.reference}",
        author="#APTIC",
        lang="fr-FR",
        invariant=1,
        initialFontName=FONT,
    )
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    title = ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=14, leading=18)
    cell = ParagraphStyle("cell", parent=body, fontSize=8, leading=10)
    run = payout.run
    story = [
        Paragraph(f"Relevé de remboursement {payout.reference}", title),
        Spacer(1, 3 * mm),
        Paragraph(escape(f"Structure : {payout.provider_name or payout.provider.name}"), body),
        Paragraph(f"Virement : {run.reference} ({run.label})", body),
        *(Paragraph(escape(line), body) for line in period_lines(payout)),
        Paragraph(escape(_status_line(payout)), body),
        Spacer(1, 4 * mm),
    ]
    rows = [HEADER]
    for serial, at, place, service, amount in statement_rows(payout):
        rows.append(
            [
                serial,
                timezone.localtime(at).strftime("%d/%m/%Y"),
                Paragraph(escape(place), cell),
                Paragraph(escape(service), cell),
                euros(amount),
            ]
        )
    rows += [
        ["Valeur des chèques", "", "", "", euros(payout.gross_cents)],
        ["Abonnement déduit (TTC)", "", "", "", euros(-(payout.fee_cents + payout.vat_cents))],
        ["Montant viré", "", "", "", euros(payout.net_cents)],
    ]
    table = LongTable(rows, colWidths=[38 * mm, 20 * mm, 50 * mm, 50 * mm, 22 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8),
                ("FONT", (0, -1), (-1, -1), FONT_BOLD, 8),
                ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("LINEABOVE", (0, -3), (-1, -3), 0.5, colors.black),
                ("SPAN", (0, -3), (3, -3)),
                ("SPAN", (0, -2), (3, -2)),
                ("SPAN", (0, -1), (3, -1)),
            ]
        )
    )
    story.append(table)
    doc.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
