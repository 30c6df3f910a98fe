"""The view on screen as files (ADR 0042): each file read back by an independent reader (the csv
module, openpyxl, pypdf) holds the report's numbers, French Excel's conventions, typed cells, and
no #APTIC mark when white-label."""

import csv
import dataclasses
import datetime
import io
import re

import openpyxl
from pypdf import PdfReader

from aptic.reporting.exports import report_csv, report_pdf, report_xlsx
from aptic.reporting.tests.reports import HOSTILE, sample_report


def csv_lines(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel opens accents right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # No-break spaces (thousands, units) read as spaces: the numbers are compared as written.
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def test_csv_is_french_excel_s_with_every_block():
    lines = csv_lines(report_csv(sample_report()))
    assert lines[0] == ["Rapport", "Tableau de bord"]
    assert ["Organisation", "Département de la Loire"] in lines
    assert ["Édité le", "07/12/2026 09:30"] in lines
    assert ["Période", "du 01/01/2026 au 31/12/2026"] in lines
    assert ["Valeur utilisée", "12340,00", "€"] in lines  # decimal comma, cents as euros
    assert ["Taux d'utilisation", "45,7", "%"] in lines
    assert ["Taux sur achetés", "", "%"] in lines  # not computable: empty, not 0
    assert ["01/02/2026", "1500"] in lines  # dates JJ/MM/AAAA
    header = lines.index(["Lieu", "Chèques utilisés", "Valeur (€)", "Part (%)"])
    assert lines[header - 1] == ["Lieux les plus utilisés"]
    assert lines[header + 1] == ["Fablab du Forez", "12", "300,00", "25,0"]
    assert lines[header + 2][0] == "'" + HOSTILE  # shown by a spreadsheet, never run


def test_xlsx_has_a_typed_sheet_per_breakdown_and_one_of_filters():
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(sample_report())))
    assert book.sheetnames == ["Filtres", "Chiffres clés", "Utilisations par mois", "Lieux les plus utilisés"]
    filters = [[c.value for c in row] for row in book["Filtres"].iter_rows()]
    assert ["Catégorie de service", "Démarches en ligne"] in filters
    assert ["Édité le", datetime.datetime(2026, 12, 7, 9, 30)] in filters
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
    figures = {row[0].value: row[1] for row in book["Chiffres clés"].iter_rows(min_row=2)}
    assert figures["Chèques utilisés"].value == 12340 and figures["Chèques utilisés"].data_type == "n"
    assert figures["Valeur utilisée"].value == 12340 and figures["Valeur utilisée"].data_type == "n"
    assert figures["Valeur utilisée"].number_format == "#,##0.00"
    assert figures["Taux d'utilisation"].value == 45.7
    months = book["Utilisations par mois"]
    assert months["A2"].value == datetime.datetime(2026, 1, 1) and months["A2"].is_date
    assert months["B3"].value == 1500
    places = book["Lieux les plus utilisés"]
    assert [c.value for c in places[1]] == ["Lieu", "Chèques utilisés", "Valeur (€)", "Part (%)"]
    hostile = places["A3"]
    assert hostile.value == HOSTILE and hostile.data_type == "s" and hostile.quotePrefix  # text, not a formula


def test_pdf_holds_the_cover_figures_tables_and_map():
    data = report_pdf(sample_report())
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    text = pdf_text(data)
    for expected in (
        "Tableau de bord",
        "Département de la Loire",
        "Édité le 07/12/2026 à 09h30",
        "Démarches en ligne",
        "12 340",
        "12 340 €",
        "45,7 %",
        "12,5 jours",
        "Utilisations par mois",
        "01/02/2026",
        "1 500",
        "Carte des lieux",
        "Médiathèque de Roanne",
        "km",
        "#APTIC",
    ):
        assert expected in text, expected
    assert "/FontFile2" in data.decode("latin-1")  # the font is embedded
    reader = PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    for page in reader.pages:  # every font the pages name is embedded (none of reportlab's standard 14)
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            assert "/FontDescriptor" in descendant, font["/BaseFont"]
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    assert pages >= 2 and f"Page 2 sur {pages}" in text


def test_pdf_charts_are_vectors_not_images():
    data = report_pdf(sample_report())
    reader = PdfReader(io.BytesIO(data))
    assert all(not page.images for page in reader.pages)
    # The chart's axis labels are text in the page, drawn by reportlab.graphics.
    assert "Fablab du Forez" in reader.pages[1].extract_text()


def test_white_label_pdf_carries_the_brand_and_no_aptic_mark_anywhere():
    png = _png()
    data = report_pdf(sample_report(brand="Caf de la Loire"), logo=png)
    text = pdf_text(data)
    assert "Caf de la Loire" in text
    assert "APTIC" not in text.upper()
    metadata = PdfReader(io.BytesIO(data)).metadata
    assert metadata.author == "Caf de la Loire"
    assert all("APTIC" not in str(value).upper() for value in metadata.values())
    assert not re.search(rb"aptic", data, re.IGNORECASE)  # nowhere in the file, compressed streams aside
    assert any(page.images for page in PdfReader(io.BytesIO(data)).pages)  # the logo on the cover


def test_white_label_sheets_carry_no_aptic_mark():
    report = sample_report(brand="Caf de la Loire")
    assert "APTIC" not in report_csv(report).decode("utf-8-sig").upper()
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not any("APTIC" in cell.upper() for cell in cells)


def test_a_report_with_no_rows_nor_points_still_writes_every_file():
    full = sample_report()
    empty = dataclasses.replace(
        full, points=(), filters=(), breakdowns=tuple(dataclasses.replace(b, rows=()) for b in full.breakdowns)
    )
    text = pdf_text(report_pdf(empty))
    assert "Aucune donnée pour ces filtres." in text and "Carte des lieux" not in text
    assert csv_lines(report_csv(empty))[0] == ["Rapport", "Tableau de bord"]
    assert openpyxl.load_workbook(io.BytesIO(report_xlsx(empty))).sheetnames[0] == "Filtres"


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()
