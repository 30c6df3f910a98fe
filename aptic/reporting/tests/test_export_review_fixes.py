"""What the review of the exports found (P2-6, P2-7, P3-13), read back by independent readers (csv,
openpyxl, pypdf): charts in time order with whole labels and a word on the bars left out, headers
unbroken, no #APTIC in a white-label file whatever the filters, typed and grouped cells in XLSX,
sheet names Excel keeps whole, the PDF dated when it was made, one percentage rule."""

import dataclasses
import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aptic.billing.models import Offer
from aptic.core import formats
from aptic.core.tests.factories import MembershipFactory
from aptic.reporting.exports import report_csv, report_pdf, report_xlsx
from aptic.reporting.report import Breakdown, Column, Unit
from aptic.reporting.tests.reports import sample_report
from aptic.reporting.tests.test_report_files import csv_lines, pdf_text

MONTHS = [datetime.date(2025, m, 1) for m in range(1, 13)] + [datetime.date(2026, m, 1) for m in range(1, 7)]


def _with(*breakdowns, **changes):
    return dataclasses.replace(sample_report(), breakdowns=breakdowns, **changes)


def _months(chart="line", shuffled=True):
    rows = [(month, 100 + i * 7 % 50) for i, month in enumerate(MONTHS)]
    if shuffled:
        rows = sorted(rows, key=lambda row: -row[1])  # by value, as a caller might hand them
    return Breakdown(
        "months",
        "Utilisations par mois",
        (Column("month", "Mois", Unit.MONTH), Column("used", "Chèques utilisés", Unit.COUNT)),
        tuple(rows),
        chart=chart,
        value_key="used",
    )


def _strings(page) -> list[tuple[str, float, float]]:
    """(text, x, y) of each piece of text drawn on the page, in the order drawn."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip().replace("\xa0", " "), x, y))

    page.extract_text(visitor_text=visit)
    return found


# --- P2-6: the PDF's charts and tables


@pytest.mark.parametrize("chart", ["line", "bar"])
def test_a_time_series_is_charted_in_date_order_whatever_the_rows_order(chart):
    reader = PdfReader(io.BytesIO(report_pdf(_with(_months(chart)))))
    page = next(p for p in reader.pages if "Utilisations par mois" in p.extract_text())
    drawn = [text for text, _, _ in _strings(page) if re.fullmatch(r"[a-zéû]+ 20\d\d", text)]
    labels = [formats.month(m) for m in MONTHS]
    if chart == "bar":  # fifteen bars at most: the most recent, the oldest on top
        labels = labels[-15:]
    chart_labels = drawn[: len(labels)]
    assert sorted(chart_labels, key=lambda t: labels.index(t)) in (chart_labels, chart_labels[::-1])
    assert set(chart_labels) == set(labels)


def test_a_line_chart_s_month_labels_stay_whole_on_the_page_above_the_table():
    reader = PdfReader(io.BytesIO(report_pdf(_with(_months("line", shuffled=False)))))
    page = next(p for p in reader.pages if "Utilisations par mois" in p.extract_text())
    strings = _strings(page)
    header_y = next(y for text, _, y in strings if text == "Mois")  # the table's header
    labels = [(t, x, y) for t, x, y in strings if re.fullmatch(r"[a-zéû]+ 20\d\d", t)][: len(MONTHS)]
    assert len(labels) == len(MONTHS)
    for text, x, y in labels:
        # A label turned 45° starts at its lowest, leftmost point: inside the page, above the header.
        assert x >= 15 * 72 / 25.4 - 1, text
        assert y > header_y + 10, text


def test_a_bar_chart_that_leaves_rows_out_says_so_under_it():
    communes = Breakdown(
        "communes",
        "Par commune",
        (Column("commune", "Commune"), Column("used", "Chèques utilisés", Unit.COUNT)),
        tuple((f"Commune {i:02d}", 100 - i) for i in range(25)),
        value_key="used",
    )
    text = pdf_text(report_pdf(_with(communes)))
    assert "Le graphique montre les 15 premiers sur 25 ; tableau complet ci-dessous." in text
    assert "Commune 24" in text  # the table has them all
    few = dataclasses.replace(communes, rows=communes.rows[:10])
    assert "tableau complet ci-dessous" not in pdf_text(report_pdf(_with(few)))


def test_table_headers_never_break_inside_a_word():
    publics = ("Bénéficiaires", "Demandeur d'emploi", "Senior", "Étudiant", "Allocataire du RSA", "Autre")
    wide = Breakdown(
        "by_public",
        "Par mois et par public",
        (Column("month", "Mois", Unit.MONTH),)
        + tuple(Column(f"p{i}", name, Unit.COUNT) for i, name in enumerate(publics))
        + (Column("total", "Total", Unit.COUNT),),
        tuple((m, *range(1000, 1006), 6015) for m in MONTHS[:3]),
        chart="none",
        value_key="total",
    )
    text = pdf_text(report_pdf(_with(wide)))
    words = set(text.split())
    for word in ("Bénéficiaires", "Demandeur", "d'emploi", "Allocataire", "Étudiant"):
        assert word in words, word


# --- P2-7: white-label files whatever the filters


def _order_filtered(report):
    lines = (*report.filters, ("Commandes", "Commande n° 1 — Chèques #APTIC 2026 — Gironde et Commande n° 7"))
    return dataclasses.replace(report, filters=lines)


def test_a_white_label_file_names_the_orders_by_number_and_holds_no_aptic_word():
    report = _order_filtered(sample_report(brand="Caf de la Loire"))
    text = pdf_text(report_pdf(report))
    assert "Commande n° 1 et Commande n° 7" in text
    assert "APTIC" not in text.upper()
    assert ["Commandes", "Commande n° 1 et Commande n° 7"] in csv_lines(report_csv(report))
    assert "APTIC" not in report_csv(report).decode("utf-8-sig").upper()
    data = report_xlsx(report)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # every part of the workbook, metadata included
        assert not any(b"APTIC" in archive.read(name).upper() for name in archive.namelist())
    # The platform's own files keep the order's full name.
    assert "Chèques #APTIC 2026 — Gironde" in pdf_text(report_pdf(_order_filtered(sample_report())))


@pytest.mark.django_db
def test_a_premium_funder_s_files_filtered_by_an_order_named_after_aptic_hold_no_aptic_word(
    sold_order, staff, settings, tmp_path
):
    settings.PRIVATE_ROOT = tmp_path
    order = sold_order(custom_cover=False)
    Offer.objects.filter(pk=order.quote.offer_id).update(white_label_exports=True)
    order.label = "Chèques #APTIC 2026 — Gironde"
    order.save(update_fields=["label"])
    funder = order.funder
    client = Client()
    client.force_login(MembershipFactory(organisation=funder, role="admin").user)
    url = reverse("funders:dashboard", kwargs={"org_slug": funder.slug}) + f"?periode=tout&commande={order.pk}"
    for fmt in ("pdf", "csv", "xlsx"):
        response = client.get(url + f"&format={fmt}")
        assert response.status_code == 200, fmt
        if fmt == "pdf":
            text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
            assert f"Commande n° {order.pk}" in text.replace("\xa0", " ")
        elif fmt == "csv":
            text = response.content.decode("utf-8-sig")
        else:
            book = openpyxl.load_workbook(io.BytesIO(response.content))
            text = " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
        assert "APTIC" not in text.upper(), fmt


# --- P3-13: spreadsheets, the PDF's date, percentages


def test_xlsx_groups_digits_of_counts_and_types_months_as_dates():
    report = _with(_months("line", shuffled=False))
    report = dataclasses.replace(report, figures=report.figures[:1])
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    figure = book["Chiffres clés"]["B2"]
    assert figure.value == 12340 and figure.number_format == "#,##0"  # French Excel: 12 340
    months = book["Utilisations par mois"]
    assert months["A2"].is_date and months["A2"].value == datetime.datetime(2025, 1, 1)
    assert months["A2"].number_format == "mmmm yyyy"
    assert months["B2"].number_format == "#,##0"
    lines = csv_lines(report_csv(report))
    assert ["01/01/2025", "100"] in lines  # a CSV writes the month's first day, a date Excel reads


def test_sheet_names_are_whole_words_unique_and_what_excel_accepts():
    titles = (
        "Utilisation par semaine (26 dernières semaines)",
        "Par aiguilleur : l'utilisation des chèques remis",
        "Par aiguilleur : l'utilisation des chèques utilisés",
        "Stock [carnets] / dormants ?",
        "'Entre apostrophes'",
    )
    base = _months(shuffled=False)
    report = _with(*(dataclasses.replace(base, key=f"b{i}", title=t) for i, t in enumerate(titles)))
    names = openpyxl.load_workbook(io.BytesIO(report_xlsx(report))).sheetnames[2:]
    assert names == [
        "Utilisation par semaine",
        "Par aiguilleur - l'utilisation",
        "Par aiguilleur (2)",  # unique; "- l'utilisation (2)" would pass 31 characters
        "Stock carnets dormants",
        "Entre apostrophes",
    ]
    assert len({n.lower() for n in names}) == len(names)
    for name in names:
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name) and name.strip("'") == name
        assert "  " not in name


def test_the_pdf_is_dated_when_the_report_was_made_and_is_the_same_bytes_twice():
    report = sample_report()
    data = report_pdf(report)
    created = PdfReader(io.BytesIO(data)).metadata.creation_date
    assert created == report.generated_at  # 07/12/2026 09:30 Paris, not 2000
    assert created.utcoffset() == datetime.timedelta(hours=1)
    assert report_pdf(report) == data
    later = dataclasses.replace(report, generated_at=timezone.make_aware(datetime.datetime(2027, 7, 1, 8, 0)))
    assert PdfReader(io.BytesIO(report_pdf(later))).metadata.creation_date.year == 2027


def test_every_percentage_has_one_decimal_and_a_small_share_never_reads_zero():
    assert formats.percent(Decimal("0.09")) == "9,0\u202f%"
    assert formats.percent(Decimal("0.096")) == "9,6\u202f%"
    assert formats.percent(Decimal(54) / Decimal(230_000)) == "<\u202f0,1\u202f%"
    assert formats.percent(0) == "0,0\u202f%"
    assert formats.percent(1) == "100,0\u202f%"
    shares = Breakdown(
        "shares",
        "Parts",
        (Column("place", "Lieu"), Column("share", "Part", Unit.RATE)),
        (("Grand", Decimal("0.09")), ("Petit", Decimal(54) / Decimal(230_000)), ("Aucun", Decimal(0))),
        chart="none",
    )
    report = _with(shares)
    text = pdf_text(report_pdf(report))
    assert "9,0 %" in text and "< 0,1 %" in text and "0,0 %" in text
    lines = csv_lines(report_csv(report))
    assert ["Grand", "9,0"] in lines and ["Petit", "0,023"] in lines and ["Aucun", "0,0"] in lines
    sheet = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))["Parts"]
    assert sheet["B3"].value == pytest.approx(0.023) and sheet["B3"].number_format == "0.0##"
    assert sheet["B2"].value == 9
