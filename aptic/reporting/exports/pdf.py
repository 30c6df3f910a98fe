"""A report as an A4 PDF (ADR 0042): a cover (organisation, title, filters, date), the key figures,
then each breakdown with its summary, its chart drawn as vectors (reportlab.graphics) and its table,
the map of places as symbols on a plain background, and page numbers.

White-label (Report.brand set, a Premium funder): the brand's name, and its logo if given, stand
where #APTIC would; the file then holds no #APTIC word anywhere, metadata included."""

import datetime
import io
import math
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Image,
    KeepTogether,
    LongTable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)

from aptic.core import formats
from aptic.core.pdf import FONT, FONT_BOLD, register_fonts
from aptic.core.pdf_pages import NumberedCanvas

from ..report import TIME_UNITS, Breakdown, MapPoint, Report
from .brand import unmarked
from .cells import chart_number, header, words

PLATFORM_MARK = "#APTIC"
WIDTH = A4[0] - 30 * mm
INK = colors.HexColor("#1d3557")  # dark blue: AA on white, and dark in grayscale
PALE = colors.HexColor("#e9eef5")
GREY = colors.HexColor("#5f6b7a")
CHART_ROWS = 15  # bars a chart shows (the largest first); the table below has them all
LOGO_MAX = (60 * mm, 30 * mm)


def _styles():
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
    return {
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=GREY),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=20, leading=26, textColor=INK),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=13, leading=17, spaceBefore=8),
        "mark": ParagraphStyle("mark", parent=body, fontName=FONT_BOLD, fontSize=14, leading=18, textColor=INK),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _mark(report: Report) -> str:
    return report.brand or PLATFORM_MARK


def _logo(data: bytes | None):
    if not data:
        return None
    reader = ImageReader(io.BytesIO(data))
    width, height = reader.getSize()
    scale = min(LOGO_MAX[0] / width, LOGO_MAX[1] / height)
    return Image(io.BytesIO(data), width=width * scale, height=height * scale, hAlign="LEFT")


def _cover(report: Report, styles, logo: bytes | None) -> list:
    story = []
    if image := _logo(logo if report.brand else None):
        story += [image, Spacer(1, 4 * mm)]
    story += [
        _p(_mark(report), styles["mark"]),
        Spacer(1, 30 * mm),
        _p(report.title, styles["h1"]),
        Spacer(1, 4 * mm),
        _p(report.organisation, styles["h2"]),
        _p(f"Édité le {formats.date_time(report.generated_at)}", styles["body"]),
        Spacer(1, 10 * mm),
        _p("Filtres", styles["h2"]),
    ]
    lines = report.filters or (("Filtres", "aucun"),)
    story.append(_table([(label, value) for label, value in lines], styles, widths=(50 * mm, WIDTH - 50 * mm)))
    for note in report.notes:
        story.append(_p(note, styles["small"]))
    story.append(PageBreak())
    return story


def _table(rows, styles, *, widths, head=None, numeric=()) -> LongTable:
    data = [[_p(cell, styles["cell"]) for cell in head]] if head else []
    data += [[_p(cell, styles["cell"]) for cell in row] for row in rows]
    table = LongTable(data, colWidths=widths, repeatRows=1 if head else 0)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, PALE),
        ("FONT", (0, 0), (-1, -1), FONT, 8),  # else the table names Helvetica, which is not embedded
    ]
    if head:
        style += [("BACKGROUND", (0, 0), (-1, 0), PALE), ("LINEBELOW", (0, 0), (-1, 0), 0.5, INK)]
    table.setStyle(TableStyle(style))
    return table


def _figures(report: Report, styles) -> list:
    rows = [(figure.label, words(figure.value, figure.unit)) for figure in report.figures]
    return [_p("Chiffres clés", styles["h2"]), _table(rows, styles, widths=(110 * mm, WIDTH - 110 * mm))]


def _value_index(breakdown: Breakdown) -> int | None:
    keys = [column.key for column in breakdown.columns]
    if breakdown.value_key in keys:
        return keys.index(breakdown.value_key)
    return None


def _left_out(shown: int, total: int, which: str) -> str:
    return f"Le graphique montre les {shown} {which} sur {total} ; tableau complet ci-dessous."


def _chart_rows(breakdown: Breakdown, index: int) -> tuple[list, str]:
    """The rows a chart draws, and what it says of the rows it leaves out ("" when none). A time
    series (first column of dates or months) goes in date order; a line keeps the rows' own order
    (the Breakdown contract: time order); other bars go the largest first, CHART_ROWS of them."""
    unit, rows = breakdown.columns[index].unit, list(breakdown.rows)
    if breakdown.columns[0].unit in TIME_UNITS:
        rows = sorted(rows, key=lambda row: row[0])
        if breakdown.chart == "bar" and len(rows) > CHART_ROWS:
            return rows[-CHART_ROWS:], _left_out(CHART_ROWS, len(rows), "plus récents")
        return rows, ""
    if breakdown.chart == "bar":
        rows = sorted(rows, key=lambda row: chart_number(row[index], unit), reverse=True)
        if len(rows) > CHART_ROWS:
            return rows[:CHART_ROWS], _left_out(CHART_ROWS, len(rows), "premiers")
    return rows, ""


def _chart(breakdown: Breakdown) -> tuple[Drawing | None, str]:
    index = _value_index(breakdown)
    if breakdown.chart not in ("bar", "line") or index is None or not breakdown.rows:
        return None, ""
    unit, label_unit = breakdown.columns[index].unit, breakdown.columns[0].unit
    rows, left_out = _chart_rows(breakdown, index)
    labels = [words(row[0], label_unit)[:40] for row in rows]
    values = [chart_number(row[index], unit) for row in rows]
    top = max(values + [0.0]) or 1.0
    if breakdown.chart == "bar":
        height = 14 * len(rows) + 30
        drawing = _drawing(WIDTH, height)
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 70 * mm, 20, WIDTH - 75 * mm, height - 30
        values, labels = values[::-1], labels[::-1]  # the first row on top (the largest, or the oldest)
        chart.data = [values]
        chart.categoryAxis.categoryNames = labels
        chart.bars[0].fillColor = INK
        chart.bars[0].strokeColor = None
    else:
        drawing, chart = _line_chart(labels, values)
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = FONT, LABEL_SIZE
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top * 1.1
    chart.valueAxis.labelTextFormat = lambda value: formats.number(round(value, 1), space=formats.NBSP)
    drawing.add(chart)
    return drawing, left_out


LABEL_SIZE = 7


def _drawing(width: float, height: float) -> Drawing:
    """A drawing whose initial font is ours: renderPDF otherwise starts each one in Helvetica, which
    the PDF would then name without embedding it."""
    drawing = Drawing(width, height)
    drawing.initialFontName, drawing.initialFontSize = FONT, LABEL_SIZE
    return drawing


MAX_LINE_LABELS = 24  # beyond, every other label (or one in three…) is written: they would overlap


def _line_chart(labels: list[str], values: list[float]):
    """A line over time whose axis labels, turned 45° when many, fit inside the drawing: the margins
    below and to the left grow with the longest label, so none is clipped or runs into the table."""
    step = math.ceil(len(labels) / MAX_LINE_LABELS)
    shown = [label if i % step == 0 else "" for i, label in enumerate(labels)]
    longest = max([stringWidth(label, FONT, LABEL_SIZE) for label in shown] + [0])
    turned = len(labels) > 8
    below = (longest * math.sin(math.radians(45)) if turned else LABEL_SIZE) + 12
    left = max(15 * mm, (longest * math.cos(math.radians(45)) if turned else longest / 2) + 6)
    plot = 55 * mm
    drawing = _drawing(WIDTH, plot + below + 10)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = left, below, WIDTH - left - 5 * mm, plot
    chart.data = [values]
    chart.categoryAxis.categoryNames = shown
    chart.categoryAxis.labels.angle = 45 if turned else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if turned else "n"
    chart.lines[0].strokeColor = INK
    chart.lines[0].strokeWidth = 1.5
    return drawing, chart


CELL_PADDING = 12  # a table cell's left and right padding (reportlab's 6 points each), and a point to spare


def _widths(head: list[str], rows: list[list[str]], size: float) -> list[float] | None:
    """Column widths in which no header breaks inside a word and no cell inside its no-break
    spaces: each column at least its longest word, the first taking what is left (up to 70 mm),
    the others sharing the rest. None when the words do not fit the page at this size."""
    count = len(head)
    need = []
    for column in range(count):
        texts = [head[column]] + [row[column] for row in rows]
        longest = max(stringWidth(word, FONT, size) for text in texts for word in (text.split() or [""]))
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


def _breakdown(breakdown: Breakdown, styles) -> list:
    head = [_p(breakdown.title, styles["h2"])]
    if breakdown.summary:
        head.append(_p(breakdown.summary, styles["body"]))
    chart, left_out = _chart(breakdown)
    if chart:
        head += [Spacer(1, 2 * mm), chart]
    if left_out:
        head.append(_p(left_out, styles["small"]))
    story = [KeepTogether(head)]  # a title never left alone at the foot of a page
    count = len(breakdown.columns)
    units = [column.unit for column in breakdown.columns]
    rows = [[words(value, unit) for value, unit in zip(row, units, strict=True)] for row in breakdown.rows]
    if not rows:
        rows = [["Aucune donnée pour ces filtres."] + [""] * (count - 1)]
    names = [header(c) for c in breakdown.columns]
    style = styles["cell"]
    widths = _widths(names, rows[:200] if breakdown.rows else [], style.fontSize)
    if widths is None:  # many columns: a smaller type rather than words cut in two
        style = ParagraphStyle("narrow", parent=style, fontSize=6.5, leading=8)
        widths = _widths(names, rows[:200] if breakdown.rows else [], style.fontSize) or [WIDTH / count] * count
    story += [Spacer(1, 2 * mm), _table(rows, {"cell": style}, widths=widths, head=names)]
    return story


# --- Map: the points projected on a plain background (no tiles: nothing fetched, nothing to license).

MAP_HEIGHT = 120 * mm
KIND_LEGEND = {"place": "lieu d'utilisation", "eligible": "lieu où les chèques sont acceptés", "commune": "commune"}
# How each kind is drawn, in words (Vera has no geometric-shape glyphs).
KIND_SYMBOL = {
    "place": "disques pleins : lieux où des chèques ont été utilisés",
    "eligible": "petits cercles blancs : lieux où ils sont acceptés",
    "commune": "carrés : communes",
}
SCALES_KM = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def _map(points: tuple[MapPoint, ...], styles) -> list:
    lat0 = sum(p.latitude for p in points) / len(points)
    shrink = math.cos(math.radians(lat0))  # an equirectangular projection, true near the centre
    xs = [p.longitude * shrink for p in points]
    ys = [p.latitude for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 0.02)
    margin = 12
    width, height = WIDTH, MAP_HEIGHT
    scale = min((width - 2 * margin) / span, (height - 2 * margin - 20) / span)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    drawing = _drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=PALE, strokeColor=GREY, strokeWidth=0.5))
    top = max([p.value for p in points] + [1])
    for point, x, y in sorted(zip(points, xs, ys, strict=True), key=lambda item: -item[0].value):
        px, py = width / 2 + (x - cx) * scale, 10 + height / 2 + (y - cy) * scale
        radius = 2 + 10 * math.sqrt(max(point.value, 0) / top)
        if point.kind == "eligible":
            drawing.add(Circle(px, py, 2.5, fillColor=colors.white, strokeColor=GREY, strokeWidth=0.8))
        elif point.kind == "commune":
            drawing.add(Rect(px - radius, py - radius, 2 * radius, 2 * radius, fillColor=None, strokeColor=INK))
        else:
            drawing.add(Circle(px, py, radius, fillColor=INK, fillOpacity=0.6, strokeColor=colors.white))
    # The scale: a round distance near a quarter of the width (1° of latitude is 111.32 km).
    km_per_point = 111.32 / scale
    km = next((k for k in SCALES_KM if k / km_per_point >= width / 6), SCALES_KM[-1])
    bar = km / km_per_point
    drawing.add(Line(margin, 12, margin + bar, 12, strokeColor=colors.black, strokeWidth=1.5))
    for end in (margin, margin + bar):
        drawing.add(Line(end, 9, end, 15, strokeColor=colors.black))
    distance = f"{formats.number(km, space=formats.NBSP)}{formats.NBSP}km"
    drawing.add(String(margin + bar + 4, 9, distance, fontName=FONT, fontSize=7))
    kinds = sorted({p.kind for p in points})
    legend = "Légende : " + " ; ".join(KIND_SYMBOL.get(k, k) for k in kinds)
    note = (
        f"Symboles proportionnels aux utilisations ; fond neutre, sans fond de carte. "
        f"Échelle approximative ({distance} sur la barre). {legend}."
    )
    rows = [(p.label, KIND_LEGEND.get(p.kind, p.kind), formats.number(p.value, space=formats.NBSP)) for p in points]
    return [
        KeepTogether([_p("Carte des lieux", styles["h2"]), drawing, _p(note, styles["small"])]),
        Spacer(1, 2 * mm),
        _table(rows, styles, widths=(80 * mm, 60 * mm, WIDTH - 140 * mm), head=("Lieu", "Nature", "Utilisations")),
    ]


def _pdf_date(moment: datetime.datetime) -> str:
    """D:20261207093000+01'00': the PDF's CreationDate and ModDate, in local time with its offset."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    offset = local.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"D:{local:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


class _FooterNumbered(NumberedCanvas):
    NUMBER_Y = 10 * mm  # on the footer's line
    NUMBER_SIZE = 7


def report_pdf(report: Report, *, logo: bytes | None = None) -> bytes:
    """The report on A4; `logo` (PNG or JPEG bytes) is drawn on the cover of a white-label report."""
    register_fonts()
    report = unmarked(report)
    styles = _styles()
    buffer = io.BytesIO()
    mark = _mark(report)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"{report.title} — {report.organisation}",
        author=mark,
        creator=mark,
        subject=report.title,
        lang="fr-FR",
        invariant=1,  # no clock, no random ID: the same report makes the same bytes
    )
    created = _pdf_date(report.generated_at)

    def footer(canvas, document):
        canvas.setDateFormatter(lambda *_: created)  # the report's own moment, not invariant's 2000
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(15 * mm, 10 * mm, f"{mark} — {report.title}"[:110])
        canvas.restoreState()

    story = _cover(report, styles, logo) + _figures(report, styles)
    for breakdown in report.breakdowns:
        story += _breakdown(breakdown, styles)
    if report.points:
        story += _map(report.points, styles)
    doc.build(story, onFirstPage=footer, onLaterPages=footer, canvasmaker=_FooterNumbered)
    return buffer.getvalue()
