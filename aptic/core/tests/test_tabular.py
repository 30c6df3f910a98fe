"""The one table writer: text neutralised, numbers and dates typed, each dialect kept."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from aptic.core import tabular
from aptic.core.tests import spreadsheets

ROWS = [
    ["=cmd|' /C calc'!A0", Decimal("-12.50"), datetime.date(2026, 1, 31), "+33180059880"],
    ["-2+3", -5, 1.5, "@SUM(1)"],
    ["\tTAB", None, "-1", "\rCR"],
]
HEADER = ["Nom", "Montant", "Date", "Téléphone"]


def test_csv_french_excel_neutralises_text_and_keeps_numbers():
    body = tabular.csv_bytes(HEADER, ROWS, dialect=tabular.FRENCH_EXCEL)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[1] == ["'=cmd|' /C calc'!A0", "-12,50", "31/01/2026", "+33180059880"]
    assert rows[2] == ["'-2+3", "-5", "1,5", "'@SUM(1)"]
    assert rows[3] == ["'\tTAB", "", "-1", "'\rCR"]


def test_csv_rfc4180_keeps_its_dialect():
    body = tabular.csv_bytes(HEADER, ROWS[:1], dialect=tabular.RFC4180).decode()
    assert body.splitlines()[1] == "'=cmd|' /C calc'!A0,-12.50,2026-01-31,+33180059880"


def test_xlsx_types_numbers_and_dates_and_neutralises_text():
    book = load_workbook(io.BytesIO(tabular.xlsx_bytes(HEADER, ROWS, title="Relevé")))
    sheet = book.active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet["B2"].value == -12.5 and sheet["B2"].number_format == tabular.MONEY_FORMAT
    assert sheet["C2"].value == datetime.datetime(2026, 1, 31) and sheet["C2"].is_date
    assert sheet["B3"].value == -5
    # Formula-looking text: a string cell shown as typed (no visible "'"), with Excel's quotePrefix.
    for ref, text in (("A2", "=cmd|' /C calc'!A0"), ("A3", "-2+3"), ("D3", "@SUM(1)"), ("A4", "\tTAB"), ("D4", "\rCR")):
        assert (sheet[ref].value, sheet[ref].data_type, sheet[ref].quotePrefix) == (text, "s", True), ref
    # A phone or a number written as text is text, with no mark.
    for ref, text in (("D2", "+33180059880"), ("C4", "-1")):
        assert (sheet[ref].value, sheet[ref].data_type, sheet[ref].quotePrefix) == (text, "s", False), ref
    assert not sheet["A1"].quotePrefix


# --- Reading: the cell budget (ADR 0033) ---------------------------------------------------------


def test_a_sheet_declaring_more_cells_than_the_budget_is_refused_before_reading():
    data = spreadsheets.workbook([spreadsheets.cells_row(1, ["nom"])], dimension="A1:F100000")  # 600,000 cells
    with pytest.raises(tabular.SpreadsheetError) as refused:
        list(tabular.xlsx_rows(data))
    assert refused.value.code == "cells"
    assert refused.value.message == (
        "Le fichier compte plus de 450\u202f000 cellules (lignes × colonnes, en-tête compris) : découpez-le en "
        "plusieurs fichiers, ou supprimez les colonnes inutiles."
    )


def test_100_000_addresses_of_four_columns_fit_the_budget():
    data = spreadsheets.workbook([spreadsheets.cells_row(1, ["nom", "adresse"])], dimension="A1:D100001")
    assert list(tabular.xlsx_rows(data)) == [(1, ["nom", "adresse"])]


def test_the_cells_are_counted_while_reading_when_no_dimension_says_so():
    rows = [spreadsheets.cells_row(n, ["a", "b", "c"]) for n in range(1, 5)]  # 12 cells, no dimension
    assert len(list(tabular.xlsx_rows(spreadsheets.workbook(rows), max_cells=12))) == 4
    with pytest.raises(tabular.SpreadsheetError) as refused:
        list(tabular.xlsx_rows(spreadsheets.workbook(rows), max_cells=11))
    assert refused.value.code == "cells"
