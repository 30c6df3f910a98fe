"""A report as an A4 PDF (ADR 0042): a cover (organisation, title, filters, date), the key figures,
then each breakdown with its summary, its chart drawn as vectors (reportlab.graphics) and its table,
the map of places as symbols on a plain background, and page numbers. The layout's parts are
shared with the diagnostic's report (exports/layout.py).

White-label (Report.brand set, a Premium funder): the brand's name, and its logo if given, stand
where #APTIC would; the file then holds no #APTIC word anywhere, metadata included."""

import math

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Circle, Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, PageBreak, Spacer

from aptic.core import formats
from aptic.core.pdf import FONT

from ..report import TIME_UNITS, Breakdown, MapPoint, Report
from .brand import unmarked
from .cells import chart_number, header, words
from .layout import (
    GREY,
    INK,
    LABEL_SIZE,
    PLATFORM_MARK,
    WIDTH,
    MapFrame,
    a4_pdf,
    fitted_table,
    logo_image,
    paragraph,
    table,
    text_styles,
    vector_drawing,
)

CHART_ROWS = 15  # bars a chart shows (the largest first); the table below has them all


def _mark(report: Report) -> str:
    return report.brand or PLATFORM_MARK


def _cover(report: Report, styles, logo: bytes | None) -> list:
    story = []
    if image := logo_image(logo if report.brand else None):
        story += [image, Spacer(1, 4 * mm)]
    story += [
        paragraph(_mark(report), styles["mark"]),
        Spacer(1, 30 * mm),
        paragraph(report.title, styles["h1"]),
        Spacer(1, 4 * mm),
        paragraph(report.organisation, styles["h2"]),
        paragraph(f"Édité le {formats.date_time(report.generated_at)}", styles["body"]),
        Spacer(1, 10 * mm),
        paragraph("Filtres", styles["h2"]),
    ]
    lines = report.filters or (("Filtres", "aucun"),)
    story.append(table([(label, value) for label, value in lines], styles, widths=(50 * mm, WIDTH - 50 * mm)))
    for note in report.notes:
        story.append(paragraph(note, styles["small"]))
    story.append(PageBreak())
    return story


def _figures(report: Report, styles) -> list:
    rows = [(figure.label, words(figure.value, figure.unit)) for figure in report.figures]
    return [paragraph("Chiffres clés", styles["h2"]), table(rows, styles, widths=(110 * mm, WIDTH - 110 * mm))]


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
        drawing = vector_drawing(WIDTH, height)
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
    drawing = vector_drawing(WIDTH, plot + below + 10)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = left, below, WIDTH - left - 5 * mm, plot
    chart.data = [values]
    chart.categoryAxis.categoryNames = shown
    chart.categoryAxis.labels.angle = 45 if turned else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if turned else "n"
    chart.lines[0].strokeColor = INK
    chart.lines[0].strokeWidth = 1.5
    return drawing, chart


def _breakdown(breakdown: Breakdown, styles) -> list:
    head = [paragraph(breakdown.title, styles["h2"])]
    if breakdown.summary:
        head.append(paragraph(breakdown.summary, styles["body"]))
    chart, left_out = _chart(breakdown)
    if chart:
        head += [Spacer(1, 2 * mm), chart]
    if left_out:
        head.append(paragraph(left_out, styles["small"]))
    story = [KeepTogether(head)]  # a title never left alone at the foot of a page
    count = len(breakdown.columns)
    units = [column.unit for column in breakdown.columns]
    rows = [[words(value, unit) for value, unit in zip(row, units, strict=True)] for row in breakdown.rows]
    if not rows:
        rows = [["Aucune donnée pour ces filtres."] + [""] * (count - 1)]
    names = [header(c) for c in breakdown.columns]
    story += [Spacer(1, 2 * mm), fitted_table(names, rows, styles, measured=rows[:200] if breakdown.rows else [])]
    return story


# --- Map: the points projected on a plain background (no tiles: nothing fetched, nothing to license).

KIND_LEGEND = {"place": "lieu d'utilisation", "eligible": "lieu où les chèques sont acceptés", "commune": "commune"}
# How each kind is drawn, in words (Vera has no geometric-shape glyphs).
KIND_SYMBOL = {
    "place": "disques pleins : lieux où des chèques ont été utilisés",
    "eligible": "petits cercles blancs : lieux où ils sont acceptés",
    "commune": "carrés : communes",
}


def _map(points: tuple[MapPoint, ...], styles) -> list:
    frame = MapFrame([(p.latitude, p.longitude) for p in points])
    top = max([p.value for p in points] + [1])
    for point in sorted(points, key=lambda point: -point.value):
        px, py = frame.at(point.latitude, point.longitude)
        radius = 2 + 10 * math.sqrt(max(point.value, 0) / top)
        if point.kind == "eligible":
            frame.drawing.add(Circle(px, py, 2.5, fillColor=colors.white, strokeColor=GREY, strokeWidth=0.8))
        elif point.kind == "commune":
            frame.drawing.add(Rect(px - radius, py - radius, 2 * radius, 2 * radius, fillColor=None, strokeColor=INK))
        else:
            frame.drawing.add(Circle(px, py, radius, fillColor=INK, fillOpacity=0.6, strokeColor=colors.white))
    distance = frame.scale_bar()
    kinds = sorted({p.kind for p in points})
    legend = "Légende : " + " ; ".join(KIND_SYMBOL.get(k, k) for k in kinds)
    note = (
        f"Symboles proportionnels aux utilisations ; fond neutre, sans fond de carte. "
        f"Échelle approximative ({distance} sur la barre). {legend}."
    )
    rows = [(p.label, KIND_LEGEND.get(p.kind, p.kind), formats.number(p.value, space=formats.NBSP)) for p in points]
    return [
        KeepTogether([paragraph("Carte des lieux", styles["h2"]), frame.drawing, paragraph(note, styles["small"])]),
        Spacer(1, 2 * mm),
        table(rows, styles, widths=(80 * mm, 60 * mm, WIDTH - 140 * mm), head=("Lieu", "Nature", "Utilisations")),
    ]


def report_pdf(report: Report, *, logo: bytes | None = None) -> bytes:
    """The report on A4; `logo` (PNG or JPEG bytes) is drawn on the cover of a white-label report."""
    report = unmarked(report)
    styles = text_styles()
    mark = _mark(report)
    story = _cover(report, styles, logo) + _figures(report, styles)
    for breakdown in report.breakdowns:
        story += _breakdown(breakdown, styles)
    if report.points:
        story += _map(report.points, styles)
    return a4_pdf(
        story,
        title=f"{report.title} — {report.organisation}",
        author=mark,
        subject=report.title,
        footer=f"{mark} — {report.title}",
        moment=report.generated_at,
    )
