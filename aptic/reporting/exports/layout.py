"""The A4 layout the platform's reports share (ADR 0042, 0056): the steering report (exports/pdf.py)
and the territorial diagnostic's report (aptic/diagnostic/report_pdf.py) are built from these parts,
so that both read alike and neither names a font it does not embed.

- text: `text_styles()` (Vera, embedded by aptic.core.pdf), `paragraph()` (escaped text);
- tables: `table()`, and `fitted_table()` whose columns fit their words (`column_widths()`);
- drawings: `vector_drawing()`, whose initial font is ours, and `MapFrame`, points of latitude and
  longitude projected on a plain rectangle with a scale bar (no tiles: nothing fetched, nothing to
  license);
- the cover's logo (`logo_image()`), and `a4_pdf()`, which lays out a story on A4 with a footer
  line, "Page n sur N" and the report's own date in the metadata."""

import datetime
import io
import math
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Image, LongTable, Paragraph, SimpleDocTemplate, TableStyle

from aptic.core import formats
from aptic.core.pdf import FONT, FONT_BOLD, register_fonts
from aptic.core.pdf_pages import NumberedCanvas

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
INK = colors.HexColor("#1d3557")  # dark blue: AA on white, and dark in grayscale
PALE = colors.HexColor("#e9eef5")
GREY = colors.HexColor("#5f6b7a")
LOGO_MAX = (60 * mm, 30 * mm)
PLATFORM_MARK = "#APTIC"  # a report's mark, unless the funder's white label replaces it
LABEL_SIZE = 7


def text_styles() -> dict[str, ParagraphStyle]:
    register_fonts()  # before any paragraph names them
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    return {
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=GREY),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=20, leading=26, textColor=INK),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=13, leading=17, spaceBefore=8),
        "mark": ParagraphStyle("mark", parent=body, fontName=FONT_BOLD, fontSize=14, leading=18, textColor=INK),
    }


def paragraph(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def logo_image(data: bytes | None):
    """A logo (PNG or JPEG bytes) scaled into LOGO_MAX, or None."""
    if not data:
        return None
    reader = ImageReader(io.BytesIO(data))
    width, height = reader.getSize()
    scale = min(LOGO_MAX[0] / width, LOGO_MAX[1] / height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale, hAlign="LEFT")


def _cell(cell, style):
    return cell if isinstance(cell, Flowable) else paragraph(cell, style)


def table(rows, styles, *, widths, head=None) -> LongTable:
    """Cells are texts (escaped) or flowables (a paragraph of several lines)."""
    data = [[_cell(cell, styles["cell"]) for cell in head]] if head else []
    data += [[_cell(cell, styles["cell"]) for cell in row] for row in rows]
    result = LongTable(data, colWidths=widths, repeatRows=1 if head else 0)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, PALE),
        ("FONT", (0, 0), (-1, -1), FONT, 8),  # else the table names Helvetica, which is not embedded
    ]
    if head:
        style += [("BACKGROUND", (0, 0), (-1, 0), PALE), ("LINEBELOW", (0, 0), (-1, 0), 0.5, INK)]
    result.setStyle(TableStyle(style))
    return result


CELL_PADDING = 12  # a table cell's left and right padding (reportlab's 6 points each), and a point to spare


def column_widths(head: list[str], rows: list[list[str]], size: float) -> list[float] | None:
    """Column widths in which no header breaks inside a word and no cell inside its no-break
    spaces (words split on the breaking space only: str.split() would split on U+00A0 too): each
    column at least its longest word, the first taking what is left (up to 70 mm), the others
    sharing the rest. None when the words do not fit the page at this size."""
    count = len(head)
    need = []
    for column in range(count):
        texts = [head[column]] + [row[column] for row in rows]
        longest = max(stringWidth(word, FONT, size) for text in texts for word in (text.split(" ") or [""]))
        need.append(longest + CELL_PADDING)
    if sum(need) > WIDTH:
        return None
    if count == 1:
        return [WIDTH]
    first = max(need[0], min(70 * mm, WIDTH / count * 1.6))
    others = sum(need[1:])
    if first + others > WIDTH:
        first = WIDTH - others
    spare = WIDTH - first - others
    return [first] + [n + spare / (count - 1) for n in need[1:]]


def fitted_table(head: list[str], rows: list[list[str]], styles, *, measured=None) -> LongTable:
    """A table whose columns fit their words (column_widths, over `measured` rows, all by
    default): many columns take a smaller type rather than words cut in two."""
    measured = rows if measured is None else measured
    count, style = len(head), styles["cell"]
    widths = column_widths(head, measured, style.fontSize)
    if widths is None:
        style = ParagraphStyle("narrow", parent=style, fontSize=6.5, leading=8)
        widths = column_widths(head, measured, style.fontSize) or [WIDTH / count] * count
    return table(rows, {"cell": style}, widths=widths, head=head)


def vector_drawing(width: float, height: float) -> Drawing:
    """A drawing whose initial font is ours: renderPDF otherwise starts each one in Helvetica, which
    the PDF would then name without embedding it."""
    result = Drawing(width, height)
    result.initialFontName, result.initialFontSize = FONT, LABEL_SIZE
    return result


MAP_HEIGHT = 120 * mm
SCALES_KM = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


class MapFrame:
    """A map's drawing: the points' bounding box projected equirectangularly (true near its centre
    latitude) onto a plain rectangle, `at()` placing a point, `scale_bar()` drawing a round distance
    near a sixth of the width (1° of latitude is 111.32 km). The bottom 20 points hold the bar."""

    MARGIN = 12

    def __init__(self, coordinates: list[tuple[float, float]], *, width: float = WIDTH, height: float = MAP_HEIGHT):
        latitudes = [lat for lat, _ in coordinates]
        self.shrink = math.cos(math.radians(sum(latitudes) / len(latitudes)))
        xs = [lng * self.shrink for _, lng in coordinates]
        span = max(max(xs) - min(xs), max(latitudes) - min(latitudes), 0.02)
        self.width, self.height = width, height
        self.scale = min((width - 2 * self.MARGIN) / span, (height - 2 * self.MARGIN - 20) / span)
        self.cx, self.cy = (max(xs) + min(xs)) / 2, (max(latitudes) + min(latitudes)) / 2
        self.drawing = vector_drawing(width, height)
        self.drawing.add(Rect(0, 0, width, height, fillColor=PALE, strokeColor=GREY, strokeWidth=0.5))

    def at(self, latitude: float, longitude: float) -> tuple[float, float]:
        x = longitude * self.shrink
        return self.width / 2 + (x - self.cx) * self.scale, 10 + self.height / 2 + (latitude - self.cy) * self.scale

    def scale_bar(self) -> str:
        """Draws the bar; returns its distance as text ("20 km")."""
        km_per_point = 111.32 / self.scale
        km = next((k for k in SCALES_KM if k / km_per_point >= self.width / 6), SCALES_KM[-1])
        bar, margin = km / km_per_point, self.MARGIN
        self.drawing.add(Line(margin, 12, margin + bar, 12, strokeColor=colors.black, strokeWidth=1.5))
        for end in (margin, margin + bar):
            self.drawing.add(Line(end, 9, end, 15, strokeColor=colors.black))
        distance = f"{formats.number(km, space=formats.NBSP)}{formats.NBSP}km"
        self.drawing.add(String(margin + bar + 4, 9, distance, fontName=FONT, fontSize=7))
        return distance


def pdf_date(moment: datetime.datetime) -> str:
    """D:20261207093000+01'00': the PDF's CreationDate and ModDate, in local time with its offset."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    offset = local.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"D:{local:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


class FooterNumbered(NumberedCanvas):
    NUMBER_Y = 10 * mm  # on the footer's line
    NUMBER_SIZE = 7


def a4_pdf(story: list, *, title: str, author: str, subject: str, footer: str, moment: datetime.datetime) -> bytes:
    """The story laid out on A4 with `footer` and "Page n sur N" at the foot of every page; the
    metadata name `author` as author and creator, and `moment` as the creation date. Invariant (no
    clock, no random ID): the same story, the same bytes."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        creator=author,
        subject=subject,
        lang="fr-FR",
        invariant=1,
    )
    created = pdf_date(moment)

    def draw_footer(canvas, document):
        canvas.setDateFormatter(lambda *_: created)  # the report's own moment, not invariant's 2000
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 10 * mm, footer[:110])
        canvas.restoreState()

    doc.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer, canvasmaker=FooterNumbered)
    return buffer.getvalue()
