"""Quotes, invoices and credit notes as PDF (reportlab), from plain data so that one layout serves all three.

The font (Bitstream Vera, shipped with reportlab) is embedded, as PDF/A asks; the document is built
with reportlab's invariant mode, so the same data gives the same bytes.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from aptic.core import formats
from aptic.core.legal import Seller
from aptic.core.pdf import FONT, FONT_BOLD, euros, register_fonts


def rate(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).normalize():f}".replace(".", ",") + "\u00a0%"


def date_fr(day: datetime.date) -> str:
    return formats.date(day)


@dataclass(frozen=True)
class Line:
    label: str
    quantity: int
    unit_price_cents: int
    amount_cents: int
    vat_rate: Decimal | None  # None: outside the scope of VAT
    vat_cents: int = 0
    detail: str = ""


@dataclass
class Document:
    title: str  # "Devis", "Facture", "Avoir"
    number: str
    issued_on: datetime.date
    seller: Seller
    buyer: list[str]
    lines: list[Line]
    totals: list[tuple[str, int, bool]]  # (label, cents, bold)
    dates: list[tuple[str, str]] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signature: bool = False


def _styles():
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#333333")),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=18, leading=22),
        "bold": ParagraphStyle("bold", parent=base, fontName=FONT_BOLD),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
    }


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(doc: Document) -> bytes:
    register_fonts()
    st = _styles()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{doc.title} {doc.number}",
        author=doc.seller.name,
        subject=f"{doc.title} {doc.number}",
        creator="#APTIC",
        lang="fr-FR",
        initialFontName=FONT,  # not reportlab's Helvetica, which is not embedded (PDF/A)
        invariant=1,
    )
    s = doc.seller
    seller_block = Paragraph(
        "<br/>".join(
            _esc(x)
            for x in [
                s.name,
                f"{s.form}, {s.capital}",
                s.address,
                f"{s.postcode} {s.city}",
                f"SIRET {s.siret} — {s.rcs}",
                f"TVA intracommunautaire {s.vat_number}",
                s.email,
            ]
        ),
        st["base"],
    )
    buyer_block = Paragraph("<b>Client</b><br/>" + "<br/>".join(_esc(x) for x in doc.buyer if x), st["base"])
    head = Table([[seller_block, buyer_block]], colWidths=[90 * mm, 84 * mm])
    head.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),  # else the table names Helvetica, not embedded (PDF/A)
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 0), (1, 0), 0.5, colors.grey),
            ]
        )
    )
    meta = [("Numéro", doc.number), ("Date", date_fr(doc.issued_on)), *doc.dates, *doc.references]
    story = [
        head,
        Spacer(1, 8 * mm),
        Paragraph(f"{_esc(doc.title)} n° {_esc(doc.number)}", st["title"]),
        Spacer(1, 2 * mm),
        Paragraph(" — ".join(f"{_esc(k)} : {_esc(v)}" for k, v in meta), st["base"]),
        Spacer(1, 6 * mm),
    ]
    rows = [["Désignation", "Qté", "Prix unit. HT", "Montant HT", "TVA"]]
    for line in doc.lines:
        label = _esc(line.label) + (f"<br/><font size=7>{_esc(line.detail)}</font>" if line.detail else "")
        rows.append(
            [
                Paragraph(label, st["base"]),
                formats.number(line.quantity, space=formats.NBSP),
                euros(line.unit_price_cents),
                euros(line.amount_cents),
                "hors champ" if line.vat_rate is None else rate(line.vat_rate),
            ]
        )
    table = Table(rows, colWidths=[78 * mm, 18 * mm, 28 * mm, 30 * mm, 20 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8f0")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm)]
    totals = Table(
        [[label, euros(cents)] for label, cents, _ in doc.totals], colWidths=[60 * mm, 34 * mm], hAlign="RIGHT"
    )
    style = [("FONT", (0, 0), (-1, -1), FONT, 9), ("ALIGN", (1, 0), (1, -1), "RIGHT")]
    style += [("FONT", (0, i), (-1, i), FONT_BOLD, 10) for i, (_, _, bold) in enumerate(doc.totals) if bold]
    totals.setStyle(TableStyle(style))
    story += [totals, Spacer(1, 6 * mm)]
    story += [Paragraph(_esc(note), st["small"]) for note in doc.notes]
    if doc.signature:
        story += [
            Spacer(1, 8 * mm),
            Paragraph(
                "<b>Bon pour accord</b> — date, nom, qualité et signature du représentant du client, "
                "précédés de la mention « Bon pour accord » :",
                st["base"],
            ),
            Spacer(1, 28 * mm),
        ]
    template.build(story)
    return buffer.getvalue()
