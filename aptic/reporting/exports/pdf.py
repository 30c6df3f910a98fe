"""A report as an A4 PDF (ADR 0042): a cover (organisation, title, filters, date), the key figures,
then each breakdown with its summary, its chart drawn as vectors (reportlab.graphics) and its table,
the map of places as symbols on a plain background, and page numbers.

White-label (Report.brand set, a Premium funder): the brand's name, and its logo if given, stand
where #APTIC would; the file then holds no #APTIC word anywhere, metadata included."""

import io
import math
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Circle, Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
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

from ..report import Breakdown, MapPoint, Report
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


def _chart(breakdown: Breakdown) -> Drawing | None:
    index = _value_index(breakdown)
    if breakdown.chart not in ("bar", "line") or index is None or not breakdown.rows:
        return None
    unit, label_unit = breakdown.columns[index].unit, breakdown.columns[0].unit
    rows = breakdown.rows
    if breakdown.chart == "bar":  # the largest first; a line keeps its time order
        rows = sorted(rows, key=lambda row: chart_number(row[index], unit), reverse=True)[:CHART_ROWS]
    labels = [words(row[0], label_unit)[:40] for row in rows]
    values = [chart_number(row[index], unit) for row in rows]
    top = max(values + [0.0]) or 1.0
    if breakdown.chart == "bar":
        height = 14 * len(rows) + 30
        drawing = Drawing(WIDTH, height)
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 70 * mm, 20, WIDTH - 75 * mm, height - 30
        rows_drawn = list(reversed(values)), list(reversed(labels))  # the first row on top
        chart.data = [rows_drawn[0]]
        chart.categoryAxis.categoryNames = rows_drawn[1]
        chart.bars[0].fillColor = INK
        chart.bars[0].strokeColor = None
    else:
        drawing = Drawing(WIDTH, 70 * mm)
        chart = HorizontalLineChart()
        chart.x, chart.y, chart.width, chart.height = 15 * mm, 25, WIDTH - 20 * mm, 70 * mm - 40
        chart.data = [values]
        chart.categoryAxis.categoryNames = labels
        chart.categoryAxis.labels.angle = 45 if len(labels) > 8 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 8 else "n"
        chart.lines[0].strokeColor = INK
        chart.lines[0].strokeWidth = 1.5
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = FONT, 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top * 1.1
    chart.valueAxis.labelTextFormat = lambda value: formats.number(round(value, 1), space=formats.NBSP)
    drawing.add(chart)
    return drawing


def _breakdown(breakdown: Breakdown, styles) -> list:
    head = [_p(breakdown.title, styles["h2"])]
    if breakdown.summary:
        head.append(_p(breakdown.summary, styles["body"]))
    if chart := _chart(breakdown):
        head += [Spacer(1, 2 * mm), chart]
    story = [KeepTogether(head)]  # a title never left alone at the foot of a page
    count = len(breakdown.columns)
    first = min(70 * mm, WIDTH / count * 1.6) if count > 1 else WIDTH
    widths = [first] + [(WIDTH - first) / (count - 1)] * (count - 1) if count > 1 else [WIDTH]
    units = [column.unit for column in breakdown.columns]
    rows = [[words(value, unit) for value, unit in zip(row, units, strict=True)] for row in breakdown.rows]
    if not rows:
        rows = [["Aucune donnée pour ces filtres."] + [""] * (count - 1)]
    story += [Spacer(1, 2 * mm), _table(rows, styles, widths=widths, head=[header(c) for c in breakdown.columns])]
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
    drawing = Drawing(width, height)
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


def report_pdf(report: Report, *, logo: bytes | None = None) -> bytes:
    """The report on A4; `logo` (PNG or JPEG bytes) is drawn on the cover of a white-label report."""
    register_fonts()
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
        invariant=1,
    )

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(15 * mm, 10 * mm, f"{mark} — {report.title}"[:110])
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    story = _cover(report, styles, logo) + _figures(report, styles)
    for breakdown in report.breakdowns:
        story += _breakdown(breakdown, styles)
    if report.points:
        story += _map(report.points, styles)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
