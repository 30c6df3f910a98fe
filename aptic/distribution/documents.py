"""Mailing documents (reportlab): sheets of address labels and one cover letter per booklet (ADR 0047).

Labels: A4 sheets of 3 × 8 labels of 70 × 37 mm (the common 24-label sheet). Letters: a French
business letter folded in three into a DL window envelope (letter.py). Both write the address
through the one postal rule (postal.py) in the embedded Vera font. Streamed page by page,
invariant (regenerating gives the same bytes).

reportlab keeps a file's pages in memory until it saves (about 7 KB a letter): a large mailing's
letters are split into PDFs of at most `limit` letters, stored together in one ZIP, so that memory
stays bounded by the limit, not by the mailing."""

import itertools
import shutil
import tempfile
import zipfile

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getAscent, getDescent
from reportlab.pdfgen.canvas import Canvas

from aptic.core.pdf import FONT, register_fonts

from .letter import ADDRESS_LEFT, ADDRESS_TOP, ADDRESS_WIDTH, Letter, draw_letter_form, draw_letter_page, draw_lines
from .postal import address_lines

PAGE_W, PAGE_H = A4
LABEL_COLS, LABEL_ROWS = 3, 8
LABEL_W, LABEL_H = 70 * mm, 37 * mm
LABEL_TOP = (PAGE_H - LABEL_ROWS * LABEL_H) / 2
LABEL_MARGIN = 5 * mm  # inside each label, what a sheet's die-cut may shift
LABEL_SIZE, LABEL_LEADING = 8.5, 10
ADDRESS_SIZE, ADDRESS_LEADING = 10, 12


def _canvas(out, title: str) -> Canvas:
    register_fonts()
    # The initial font too: reportlab would otherwise declare a Helvetica it does not embed.
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1, initialFontName=FONT)
    canvas.setTitle(title)
    canvas.setAuthor("#APTIC")
    canvas.setCreator("#APTIC")
    canvas.setProducer("#APTIC (reportlab)")
    return canvas


def _lines(row) -> list[str]:
    return address_lines(
        name=row.name, street=row.street, complement=row.complement, postal_code=row.postal_code, city=row.city
    )


def draw_address(canvas, lines: list[str], *, left: float, top: float, width: float, size: float, leading: float):
    """The block with its top (the first line's ascent) at `top`."""
    draw_lines(canvas, lines, x=left, y=top - getAscent(FONT, size), width=width, size=size, leading=leading)


def block_height(count: int, size: float, leading: float) -> float:
    return getAscent(FONT, size) + (count - 1) * leading - getDescent(FONT, size)


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
        lines = _lines(row)
        label_top = PAGE_H - LABEL_TOP - line * LABEL_H
        # Centred in the label's height: the block is 2 to 6 lines.
        top = label_top - (LABEL_H - block_height(len(lines), LABEL_SIZE, LABEL_LEADING)) / 2
        draw_address(
            canvas,
            lines,
            left=col * LABEL_W + LABEL_MARGIN,
            top=top,
            width=LABEL_W - 2 * LABEL_MARGIN,
            size=LABEL_SIZE,
            leading=LABEL_LEADING,
        )
        slot += 1
    canvas.showPage()
    canvas.save()
    return pages + 1


def render_letters(out, rows, *, letter: Letter) -> int:
    """One letter a row: rows also carry booklet_number. What every letter shares is one form
    XObject drawn on each page. Returns the page count."""
    canvas = _canvas(out, letter.title)
    draw_letter_form(canvas, letter)
    pages = 0
    for row in rows:
        canvas.doForm("letter")
        draw_address(
            canvas,
            _lines(row),
            left=ADDRESS_LEFT,
            top=PAGE_H - ADDRESS_TOP,
            width=ADDRESS_WIDTH,
            size=ADDRESS_SIZE,
            leading=ADDRESS_LEADING,
        )
        draw_letter_page(canvas, letter, booklet_number=row.booklet_number)
        canvas.showPage()
        pages += 1
    canvas.save()
    return pages


def render_letter_parts(out, rows, *, limit: int, letter: Letter) -> int:
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
                render_letters(pdf, chunk, letter=letter.with_title(f"{letter.title} — fichier {part}"))
                pdf.seek(0)
                # A fixed date: producing the documents again gives the same bytes.
                member = zipfile.ZipInfo(f"courriers-{part:03d}.pdf", date_time=(2000, 1, 1, 0, 0, 0))
                with archive.open(member, "w") as handle:
                    shutil.copyfileobj(pdf, handle, 1 << 20)
    return 0
