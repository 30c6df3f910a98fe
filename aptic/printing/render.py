"""Print-ready PDF of booklets (ADR 0015): per booklet a cover, then its vouchers, five to a page
with crop marks. Built for speed and flat memory:

- what every voucher page shares (crop marks, frames, funder, value, validity) is drawn once per
  file as a form XObject and placed on each page;
- the QR code is drawn as vector rectangles written straight into the page's content stream, one
  rectangle per run of dark modules in a row, in module units under one `cm` transform;
- the QR mask is fixed: choosing the best of eight masks is 80 % of segno's time, and any mask is
  valid for every decoder (tests decode the rendered pages);
- vouchers arrive as an iterator of (sequence, code) and pages are streamed with showPage(); a
  file holds at most a few thousand vouchers, so reportlab's page list stays small.

Regenerating gives the same bytes: invariant mode (fixed dates and document ID), fixed metadata,
and nothing in the pages that depends on the moment.
"""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from aptic.vouchers import codes

PER_PAGE = 5
PAGE_W, PAGE_H = A4
CELL_W = 180 * mm
CELL_H = 54 * mm
LEFT = (PAGE_W - CELL_W) / 2
BOTTOM = (PAGE_H - PER_PAGE * CELL_H) / 2
MARK = 6 * mm  # crop mark length
MARK_GAP = 2 * mm  # space between the cut and the mark
QR_SIZE = 30 * mm  # with its quiet zone of 4 modules
QR_MASK = 2
INK = (0.12, 0.16, 0.35)


@dataclass(frozen=True)
class PrintSpec:
    """What is the same on every voucher of an order."""

    order_id: int
    year: int
    funder_name: str
    face_value: str  # "10 €"
    valid_from: str  # "01/01/2026"
    valid_until: str
    booklet_size: int
    url_prefix: str  # SITE_URL + "/c/"; the code and "/" follow
    url_suffix: str = "/"
    validity: str = ""  # formats.validity: "valable jusqu'au 31/12/2026, accepté jusqu'au 31/01/2027"
    booklet_validity: str = ""  # the same, agreeing with the booklet's "chèques": "valables …"
    cover_image: bytes | None = None

    def serial(self, sequence: int) -> str:
        # Same as Order.serial, without an Order at hand.
        return f"{self.year}-{self.order_id:05d}-{sequence:07d}"


def qr_operators(url: str, x: float, y: float, size: float) -> str:
    """PDF operators drawing the QR code of `url` in the square (x, y, size), quiet zone included."""
    matrix = segno.make_qr(url, error="m", boost_error=False, mask=QR_MASK).matrix
    n = len(matrix)
    module = size / (n + 8)
    parts = [f"q {module:.4f} 0 0 {module:.4f} {x + 4 * module:.3f} {y + 4 * module:.3f} cm"]
    append = parts.append
    for r, row in enumerate(matrix):
        row_y = n - 1 - r
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                append(f"{start} {row_y} {c - start} 1 re")
            else:
                c += 1
    append("f Q")
    return "\n".join(parts)


def _crop_marks(canvas: Canvas) -> None:
    canvas.setLineWidth(0.25)
    canvas.setStrokeColorRGB(0, 0, 0)
    right = LEFT + CELL_W
    top = BOTTOM + PER_PAGE * CELL_H
    for i in range(PER_PAGE + 1):
        y = BOTTOM + i * CELL_H
        canvas.line(LEFT - MARK_GAP - MARK, y, LEFT - MARK_GAP, y)
        canvas.line(right + MARK_GAP, y, right + MARK_GAP + MARK, y)
    for x in (LEFT, right):
        canvas.line(x, top + MARK_GAP, x, top + MARK_GAP + MARK)
        canvas.line(x, BOTTOM - MARK_GAP - MARK, x, BOTTOM - MARK_GAP)


def _voucher_frame(canvas: Canvas, spec: PrintSpec, y: float) -> None:
    """The fixed part of one voucher cell whose bottom is at y."""
    canvas.setFillColorRGB(*INK)
    canvas.rect(LEFT, y + CELL_H - 9 * mm, CELL_W, 9 * mm, stroke=0, fill=1)
    canvas.setFillColorRGB(1, 1, 1)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(LEFT + 5 * mm, y + CELL_H - 6 * mm, "Chèque #APTIC — numérique pour tous")
    canvas.setFont("Helvetica", 9)
    canvas.drawRightString(LEFT + CELL_W - 5 * mm, y + CELL_H - 6 * mm, spec.funder_name[:70])
    canvas.setFillColorRGB(*INK)
    canvas.setFont("Helvetica-Bold", 26)
    canvas.drawString(LEFT + 5 * mm, y + CELL_H - 22 * mm, spec.face_value)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont("Helvetica", 8)
    # The validity sentence, on two lines left of the right-hand column: "Valable jusqu'au …," / "accepté …".
    until, _, grace = spec.validity.partition(", ")
    canvas.drawString(LEFT + 5 * mm, y + CELL_H - 28 * mm, until[:1].upper() + until[1:] + ("," if grace else ""))
    if grace:
        canvas.drawString(LEFT + 5 * mm, y + CELL_H - 31.5 * mm, grace)
    canvas.drawString(LEFT + 5 * mm, y + 15 * mm, "N° de série")
    canvas.drawString(LEFT + 5 * mm, y + 6 * mm, "Code")
    canvas.setFont("Helvetica", 7)
    canvas.drawString(
        LEFT + 70 * mm, y + CELL_H - 22 * mm, "À utiliser dans les lieux de médiation numérique labellisés."
    )
    canvas.drawString(LEFT + 70 * mm, y + CELL_H - 26 * mm, "Scannez le code pour voir où l'utiliser.")
    canvas.drawString(LEFT + 70 * mm, y + CELL_H - 30 * mm, "Ne peut être ni échangé ni remboursé.")


def _page_form(canvas: Canvas, spec: PrintSpec) -> str:
    name = "voucher_page"
    canvas.beginForm(name, lowerx=0, lowery=0, upperx=PAGE_W, uppery=PAGE_H)
    _crop_marks(canvas)
    for slot in range(PER_PAGE):
        _voucher_frame(canvas, spec, _slot_y(slot))
    canvas.endForm()
    return name


def _slot_y(slot: int) -> float:
    return BOTTOM + (PER_PAGE - 1 - slot) * CELL_H


def _cover(canvas: Canvas, spec: PrintSpec, booklet: int, first: int, image) -> None:
    last = first + spec.booklet_size - 1
    if image is not None:
        canvas.drawImage(image, 0, 0, PAGE_W, PAGE_H, preserveAspectRatio=True, anchor="c")
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(LEFT, BOTTOM, CELL_W, 30 * mm, stroke=0, fill=1)
    else:
        canvas.setFillColorRGB(*INK)
        canvas.rect(0, PAGE_H * 0.55, PAGE_W, PAGE_H * 0.45, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setFont("Helvetica-Bold", 34)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H * 0.80, "Chèques #APTIC")
        canvas.setFont("Helvetica", 16)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H * 0.74, "numérique pour tous")
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont("Helvetica-Bold", 20)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H * 0.45, f"Offert par {spec.funder_name}"[:60])
        canvas.setFont("Helvetica", 13)
        canvas.drawCentredString(
            PAGE_W / 2,
            PAGE_H * 0.40,
            f"{spec.booklet_size} chèques de {spec.face_value}, {spec.booklet_validity}",
        )
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(LEFT + 5 * mm, BOTTOM + 18 * mm, f"Carnet n° {booklet} — commande n° {spec.order_id}")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(LEFT + 5 * mm, BOTTOM + 10 * mm, f"Chèques {spec.serial(first)} à {spec.serial(last)}")


def _voucher(canvas: Canvas, spec: PrintSpec, slot: int, sequence: int, code: str, with_qr: bool) -> None:
    y = _slot_y(slot)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(LEFT + 25 * mm, y + 15 * mm, spec.serial(sequence))
    canvas.setFont("Courier-Bold", 15)
    canvas.drawString(LEFT + 25 * mm, y + 5.5 * mm, codes.display(code))
    if with_qr:
        url = spec.url_prefix + code + spec.url_suffix
        canvas.addLiteral(qr_operators(url, LEFT + CELL_W - QR_SIZE - 4 * mm, y + 4 * mm, QR_SIZE))


def render(out, spec: PrintSpec, vouchers: Iterable[tuple[int, str]], *, with_qr: bool = True, progress=None) -> int:
    """Write the PDF of `vouchers` ((sequence, code), in order, whole booklets) to `out` (a binary
    file); returns the page count. `progress(vouchers_done)` is called after each booklet."""
    canvas = Canvas(out, pagesize=A4, invariant=1, pageCompression=1, pdfVersion=(1, 4))
    canvas.setTitle(f"Chèques #APTIC — commande n° {spec.order_id}")
    canvas.setAuthor("#APTIC")
    canvas.setCreator("#APTIC")
    canvas.setProducer("#APTIC (reportlab)")
    canvas.setSubject(spec.funder_name)
    form = _page_form(canvas, spec)
    image = ImageReader(io.BytesIO(spec.cover_image)) if spec.cover_image else None
    pages = done = 0
    for booklet, items in _booklets(vouchers, spec.booklet_size):
        _cover(canvas, spec, booklet, items[0][0], image)
        canvas.showPage()
        pages += 1
        for start in range(0, len(items), PER_PAGE):
            canvas.doForm(form)
            for slot, (sequence, code) in enumerate(items[start : start + PER_PAGE]):
                _voucher(canvas, spec, slot, sequence, code, with_qr)
            canvas.showPage()
            pages += 1
        done += len(items)
        if progress is not None:
            progress(done)
    canvas.save()
    return pages


def _booklets(vouchers: Iterable[tuple[int, str]], size: int) -> Iterator[tuple[int, list]]:
    current: list = []
    for item in vouchers:
        current.append(item)
        if len(current) == size:
            yield (current[0][0] - 1) // size + 1, current
            current = []
    if current:
        raise ValueError("a print file holds whole booklets")
