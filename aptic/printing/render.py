"""Print-ready PDF of booklets (ADR 0015): per booklet a cover, then its vouchers, five to a page
with crop marks. Built for speed and flat memory:

- what every voucher page shares (crop marks, frames, funder, value, validity) is drawn once per
  file as a form XObject and placed on each page;
- each QR code is a 1-bit inline stencil mask written straight into the page's content stream,
  its module grid derived from segno's by XOR (qrcodes.py, ADR 0046);
- vouchers arrive as an iterator of (sequence, code) and pages are streamed with showPage(); a
  file holds at most a few thousand vouchers, so reportlab's page list stays small.

For the print shop (ADR 0046): PDF/X-1a:2003 (core/pdf.print_canvas): CMYK only, embedded fonts,
TrimBox = the A4 sheet, BleedBox 3 mm larger, the colour bands printed into the bleed; long funder
names shrink, then wrap on two lines, then are shortened at a word boundary (ADR 0058).

Regenerating gives the same bytes: invariant mode (fixed dates and document ID), fixed metadata,
and nothing in the pages that depends on the moment.
"""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from PIL import Image, ImageChops
from reportlab.lib.colors import CMYKColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from aptic.core.pdf import (
    BLEED,
    CMYK_BLACK,
    CMYK_WHITE,
    FONT,
    FONT_BOLD,
    REGISTRATION,
    fit_lines,
    print_canvas,
    print_page_start,
    register_fonts,
)
from aptic.vouchers import codes

from .qrcodes import qr_operators

PER_PAGE = 5
PAGE_W, PAGE_H = A4  # the finished sheet (TrimBox); the MediaBox adds BLEED on each side
CELL_W = 180 * mm
CELL_H = 54 * mm
LEFT = (PAGE_W - CELL_W) / 2
BOTTOM = (PAGE_H - PER_PAGE * CELL_H) / 2
MARK = 6 * mm  # crop mark length
MARK_GAP = BLEED + 1 * mm  # the marks start past the band's bleed
BAND_H = 9 * mm
BAND_TOP = 3 * mm  # cells touch: the band stays clear of the cut above, so it bleeds only sideways
QR_SIZE = 30 * mm  # with its quiet zone of 4 modules
INK = CMYKColor(0.66, 0.54, 0, 0.65)  # the dark blue of the site, in process colours
TITLE = "Chèque #APTIC — numérique pour tous"
MARGIN = 5 * mm


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


def _crop_marks(canvas: Canvas) -> None:
    canvas.setLineWidth(0.25)
    canvas.setStrokeColor(REGISTRATION)
    right = LEFT + CELL_W
    top = BOTTOM + PER_PAGE * CELL_H
    for i in range(PER_PAGE + 1):
        y = BOTTOM + i * CELL_H
        canvas.line(LEFT - MARK_GAP - MARK, y, LEFT - MARK_GAP, y)
        canvas.line(right + MARK_GAP, y, right + MARK_GAP + MARK, y)
    for x in (LEFT, right):
        canvas.line(x, top + MARK_GAP, x, top + MARK_GAP + MARK)
        canvas.line(x, BOTTOM - MARK_GAP - MARK, x, BOTTOM - MARK_GAP)


def _lines(canvas: Canvas, lines: list[str], font: str, size: float, x: float, y: float, align: str) -> None:
    """Lines from the baseline y of the first one down, aligned left, right or centre on x."""
    draw = {"left": canvas.drawString, "right": canvas.drawRightString, "centre": canvas.drawCentredString}[align]
    canvas.setFont(font, size)
    for line in lines:
        draw(x, y, line)
        y -= 1.2 * size


BAND_NAME_SIZE, BAND_NAME_MIN, BAND_NAME_LINES = 9, 6.5, 2  # ADR 0058: legible on two lines at most


@dataclass(frozen=True)
class _Band:
    """The funder's name in the voucher's band, right of the title: fitted once per file, on two
    lines at most, 6.5 pt at least; a name that does not fit even so is shortened (ADR 0058)."""

    size: float
    lines: list[str]

    @classmethod
    def fit(cls, funder_name: str) -> "_Band":
        register_fonts()
        room = CELL_W - 2 * MARGIN - stringWidth(TITLE, FONT_BOLD, 11) - 6 * mm
        return cls(
            *fit_lines(funder_name, FONT, room, size=BAND_NAME_SIZE, min_size=BAND_NAME_MIN, max_lines=BAND_NAME_LINES)
        )

    @property
    def name(self) -> str:
        """The name as printed (shortened or not): the cover prints the same."""
        return " ".join(self.lines)


def printed_name(funder_name: str) -> str:
    """What the vouchers and covers print of `funder_name`: itself when it fits the voucher's band,
    else its start with an ellipsis (ADR 0058)."""
    return _Band.fit(funder_name).name


def name_fits(funder_name: str) -> bool:
    """Whether the band prints `funder_name` whole."""
    return printed_name(funder_name) == " ".join(funder_name.split())


def _voucher_frame(canvas: Canvas, spec: PrintSpec, band: _Band, y: float) -> None:
    """The fixed part of one voucher cell whose bottom is at y."""
    band_y = y + CELL_H - BAND_TOP - BAND_H
    middle = band_y + BAND_H / 2
    canvas.setFillColor(INK)
    canvas.rect(LEFT - BLEED, band_y, CELL_W + 2 * BLEED, BAND_H, stroke=0, fill=1)
    canvas.setFillColor(CMYK_WHITE)
    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(LEFT + MARGIN, middle - 4, TITLE)
    first = middle + (len(band.lines) - 1) * 1.2 * band.size / 2 - 0.35 * band.size
    _lines(canvas, band.lines, FONT, band.size, LEFT + CELL_W - MARGIN, first, "right")
    canvas.setFillColor(INK)
    canvas.setFont(FONT_BOLD, 26)
    canvas.drawString(LEFT + MARGIN, y + CELL_H - 23 * mm, spec.face_value)
    canvas.setFillColor(CMYK_BLACK)
    canvas.setFont(FONT, 8)
    # The validity sentence, on two lines left of the right-hand column: "Valable jusqu'au …," / "accepté …".
    until, _, grace = spec.validity.partition(", ")
    canvas.drawString(LEFT + MARGIN, y + CELL_H - 29 * mm, until[:1].upper() + until[1:] + ("," if grace else ""))
    if grace:
        canvas.drawString(LEFT + MARGIN, y + CELL_H - 32.5 * mm, grace)
    canvas.drawString(LEFT + MARGIN, y + 15 * mm, "N° de série")
    canvas.drawString(LEFT + MARGIN, y + 6 * mm, "Code")
    canvas.setFont(FONT, 7)
    canvas.drawString(
        LEFT + 70 * mm, y + CELL_H - 23 * mm, "À utiliser dans les lieux de médiation numérique labellisés."
    )
    canvas.drawString(LEFT + 70 * mm, y + CELL_H - 27 * mm, "Scannez le code pour voir où l'utiliser.")
    canvas.drawString(LEFT + 70 * mm, y + CELL_H - 31 * mm, "Ne peut être ni échangé ni remboursé.")


def _page_form(canvas: Canvas, spec: PrintSpec) -> str:
    name = "voucher_page"
    band = _Band.fit(spec.funder_name)
    canvas.beginForm(name, lowerx=-BLEED, lowery=-BLEED, upperx=PAGE_W + BLEED, uppery=PAGE_H + BLEED)
    _crop_marks(canvas)
    for slot in range(PER_PAGE):
        _voucher_frame(canvas, spec, band, _slot_y(slot))
    canvas.endForm()
    return name


def _slot_y(slot: int) -> float:
    return BOTTOM + (PER_PAGE - 1 - slot) * CELL_H


def cmyk_image(data: bytes) -> Image.Image:
    """The cover in process colours (PDF/X-1a has no RGB): a CMYK image as it is, else Pillow's
    conversion with black generation by full under-colour removal, K = min(C, M, Y). Not
    colour-managed (no CMYK profile ships with our packages)."""
    image = Image.open(io.BytesIO(data))
    if image.mode == "CMYK":  # made for print already: kept as it is
        return image
    # Transparent parts on white paper (PDF/X-1a has no transparency).
    image = image.convert("RGBA")
    image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("CMYK")
    cyan, magenta, yellow, _ = image.split()
    black = ImageChops.darker(ImageChops.darker(cyan, magenta), yellow)
    channels = [ImageChops.subtract(channel, black) for channel in (cyan, magenta, yellow)]
    return Image.merge("CMYK", (*channels, black))


def _cover(canvas: Canvas, spec: PrintSpec, booklet: int, first: int, image) -> None:
    last = first + spec.booklet_size - 1
    width = CELL_W
    if image is not None:
        # Over the bleed: an image that reaches an edge is printed past the cut.
        canvas.drawImage(
            image, -BLEED, -BLEED, PAGE_W + 2 * BLEED, PAGE_H + 2 * BLEED, preserveAspectRatio=True, anchor="c"
        )
        canvas.setFillColor(CMYK_WHITE)
        canvas.rect(LEFT, BOTTOM, CELL_W, 30 * mm, stroke=0, fill=1)
    else:
        canvas.setFillColor(INK)
        canvas.rect(-BLEED, PAGE_H * 0.55, PAGE_W + 2 * BLEED, PAGE_H * 0.45 + BLEED, stroke=0, fill=1)
        canvas.setFillColor(CMYK_WHITE)
        canvas.setFont(FONT_BOLD, 34)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H * 0.80, "Chèques #APTIC")
        canvas.setFont(FONT, 16)
        canvas.drawCentredString(PAGE_W / 2, PAGE_H * 0.74, "numérique pour tous")
        canvas.setFillColor(CMYK_BLACK)
        # The name's block grows upwards from 0.45 of the page, towards the band (room for three lines).
        # The name as the vouchers print it; three lines of 14 pt or more hold any name the band holds.
        name = printed_name(spec.funder_name)
        size, lines = fit_lines(f"Offert par {name}", FONT_BOLD, width, size=20, min_size=14, max_lines=3)
        top = PAGE_H * 0.45 + (len(lines) - 1) * 1.2 * size
        _lines(canvas, lines, FONT_BOLD, size, PAGE_W / 2, top, "centre")
        offer = f"{spec.booklet_size} chèques de {spec.face_value}, {spec.booklet_validity}"
        size, lines = fit_lines(offer, FONT, width, size=13, min_size=10)
        _lines(canvas, lines, FONT, size, PAGE_W / 2, PAGE_H * 0.40, "centre")
    canvas.setFillColor(CMYK_BLACK)
    canvas.setFont(FONT_BOLD, 12)
    canvas.drawString(LEFT + MARGIN, BOTTOM + 18 * mm, f"Carnet n° {booklet} — commande n° {spec.order_id}")
    canvas.setFont(FONT, 9)
    canvas.drawString(LEFT + MARGIN, BOTTOM + 10 * mm, f"Chèques {spec.serial(first)} à {spec.serial(last)}")


def _voucher(canvas: Canvas, spec: PrintSpec, slot: int, sequence: int, code: str, with_qr: bool) -> None:
    y = _slot_y(slot)
    canvas.setFillColor(CMYK_BLACK)
    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(LEFT + 25 * mm, y + 15 * mm, spec.serial(sequence))
    canvas.setFont(FONT_BOLD, 15)
    canvas.drawString(LEFT + 25 * mm, y + 5.5 * mm, codes.display(code))
    if with_qr:
        x = LEFT + CELL_W - QR_SIZE - 4 * mm
        canvas.addLiteral(qr_operators(spec.url_prefix, code, spec.url_suffix, x, y + 4 * mm, QR_SIZE))


def render(out, spec: PrintSpec, vouchers: Iterable[tuple[int, str]], *, with_qr: bool = True, progress=None) -> int:
    """Write the PDF of `vouchers` ((sequence, code), in order, whole booklets) to `out` (a binary
    file); returns the page count. `progress(vouchers_done)` is called after each booklet."""
    canvas = print_canvas(out, PAGE_W, PAGE_H, invariant=1, pageCompression=1)
    canvas.setTitle(f"Chèques #APTIC — commande n° {spec.order_id}")
    canvas.setAuthor("#APTIC")
    canvas.setCreator("#APTIC")
    canvas.setProducer("#APTIC (reportlab)")
    canvas.setSubject(spec.funder_name)
    form = _page_form(canvas, spec)
    image = ImageReader(cmyk_image(spec.cover_image)) if spec.cover_image else None
    pages = done = 0
    for booklet, items in _booklets(vouchers, spec.booklet_size):
        print_page_start(canvas)
        _cover(canvas, spec, booklet, items[0][0], image)
        canvas.showPage()
        pages += 1
        for start in range(0, len(items), PER_PAGE):
            print_page_start(canvas)
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
