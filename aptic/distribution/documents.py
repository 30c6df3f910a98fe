"""Mailing documents (reportlab): sheets of address labels and one cover letter per booklet.

Labels: A4 sheets of 3 × 8 labels of 70 × 37 mm (the common 24-label sheet). Letters: the address
in the window of a DL envelope (NF EN ISO 269, window on the right), the booklet number, a short
text. Streamed page by page, invariant (regenerating gives the same bytes).

reportlab keeps a file's pages in memory until it saves (about 7 KB a letter): a large mailing's
letters are split into PDFs of at most `limit` letters, stored together in one ZIP, so that memory
stays bounded by the limit, not by the mailing."""

import itertools
import shutil
import tempfile
import zipfile

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

PAGE_W, PAGE_H = A4
LABEL_COLS, LABEL_ROWS = 3, 8
LABEL_W, LABEL_H = 70 * mm, 37 * mm
LABEL_TOP = (PAGE_H - LABEL_ROWS * LABEL_H) / 2


def _canvas(out, title: str) -> Canvas:
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("#APTIC")
    canvas.setCreator("#APTIC")
    canvas.setProducer("#APTIC (reportlab)")
    return canvas


def _address_lines(row) -> list[str]:
    lines = [row.name, row.street]
    if row.complement:
        lines.append(row.complement)
    lines.append(f"{row.postal_code} {row.city}")
    return lines


def render_labels(out, rows, *, title: str) -> int:
    """rows: objects with name, street, complement, postal_code, city. Returns the page count."""
    canvas = _canvas(out, title)
    pages = slot = 0
    for row in rows:
        if slot == LABEL_COLS * LABEL_ROWS:
            canvas.showPage()
            pages += 1
            slot = 0
        col, line = slot % LABEL_COLS, slot // LABEL_COLS
        x = col * LABEL_W + 6 * mm
        y = PAGE_H - LABEL_TOP - line * LABEL_H - 10 * mm
        canvas.setFont("Helvetica", 9.5)
        for text in _address_lines(row):
            canvas.drawString(x, y, text)
            y -= 4.5 * mm
        slot += 1
    canvas.showPage()
    canvas.save()
    return pages + 1


def render_letters(
    out, rows, *, title: str, funder_name: str, order_id: int, face_value: str, size: int, validity: str
) -> int:
    """One letter a row: rows also carry booklet_number. Returns the page count."""
    canvas = _canvas(out, title)
    pages = 0
    for row in rows:
        canvas.setFont("Helvetica-Bold", 14)
        canvas.drawString(20 * mm, PAGE_H - 25 * mm, funder_name[:60])
        canvas.setFont("Helvetica", 9)
        canvas.drawString(20 * mm, PAGE_H - 31 * mm, "avec #APTIC, le chèque culture numérique")
        y = PAGE_H - 55 * mm  # the window of a DL envelope
        canvas.setFont("Helvetica", 11)
        for text in _address_lines(row):
            canvas.drawString(110 * mm, y, text)
            y -= 5 * mm
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(20 * mm, PAGE_H - 100 * mm, f"Votre carnet de chèques #APTIC n° {row.booklet_number}")
        canvas.setFont("Helvetica", 11)
        text = canvas.beginText(20 * mm, PAGE_H - 112 * mm)
        text.setLeading(15)
        for sentence in (
            "Madame, Monsieur,",
            "",
            f"{funder_name[:60]} vous offre ce carnet de {size} chèques #APTIC de {face_value}.",
            "Ils paient, en tout ou partie, un accompagnement au numérique dans un lieu labellisé :",
            "atelier, aide individuelle, formation. Le code QR de chaque chèque mène à la liste",
            "des lieux où l'utiliser près de chez vous.",
            "",
            f"Les chèques sont {validity}.",
            "",
            f"Carnet n° {row.booklet_number} — commande n° {order_id}.",
        ):
            text.textLine(sentence)
        canvas.drawText(text)
        canvas.showPage()
        pages += 1
    canvas.save()
    return pages


def render_letter_parts(out, rows, *, limit: int, title: str, **letter) -> int:
    """Letters in PDFs of at most `limit` letters each (courriers-001.pdf, …), written one after the
    other into a ZIP (`out`, seekable), each through a temporary file. Returns the number of PDFs."""
    rows = iter(rows)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for part in itertools.count(1):
            first = next(rows, None)
            if first is None:
                return part - 1
            chunk = itertools.chain([first], itertools.islice(rows, limit - 1))
            with tempfile.TemporaryFile() as pdf:
                render_letters(pdf, chunk, title=f"{title} — fichier {part}", **letter)
                pdf.seek(0)
                # A fixed date: producing the documents again gives the same bytes.
                member = zipfile.ZipInfo(f"courriers-{part:03d}.pdf", date_time=(2000, 1, 1, 0, 0, 0))
                with archive.open(member, "w") as handle:
                    shutil.copyfileobj(pdf, handle, 1 << 20)
    return 0
