"""Statements as CSV and Excel: a place or service named like a formula is shown, never run; amounts
stay numbers (the subscription deducted is a number, not a text)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .. import services
from ..models import RunKind

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def formula_run(pay, django_capture_on_commit_callbacks):
    provider = pay.provider("@SUM(1)")
    provider.place.name = "=cmd|' /C calc'!A0"
    provider.place.save()
    provider.offer.title = "-2+3"
    provider.offer.save()
    pay.redeem(provider, 2)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_create(kind=RunKind.MONTHLY, month=pay.month, user=pay.staff)
    return run.payouts.get(provider=provider), provider


def _urls(payout, provider):
    for fmt in ("csv", "xlsx"):
        yield (
            provider.admin,
            reverse("payouts:provider_statement", kwargs={"org_slug": provider.slug, "pk": payout.pk, "fmt": fmt}),
        )
        yield None, reverse("payouts:staff_statement", kwargs={"pk": payout.pk, "fmt": fmt})


DEDUCTED = "Abonnement déduit (TTC)"


def test_formula_looking_names_are_neutralised_in_csv_and_xlsx_statements(client, pay, formula_run):
    payout, provider = formula_run
    for user, url in _urls(payout, provider):
        client.force_login(user or pay.staff)
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if url.endswith(".csv"):
            assert body.startswith("\ufeff".encode())  # French Excel's dialect kept: BOM, ";"
            rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
            lines, deducted = rows[1:3], next(r for r in rows if r and r[0] == DEDUCTED)[4]
            assert deducted.replace(",", "").lstrip("-").isdecimal()  # "-7,00" or "0,00" (a free month)
            for line in lines:
                assert line[2] == "'=cmd|' /C calc'!A0" and line[3] == "'-2+3", url
            for row in rows:
                for cell in row:
                    assert not cell.startswith(TRIGGERS) or cell.replace(",", "").lstrip("-").isdecimal(), (url, cell)
        else:
            sheet = load_workbook(io.BytesIO(body)).worksheets[0]
            rows = [list(row) for row in sheet.iter_rows()]
            lines, deducted = rows[1:3], next(r for r in rows if r and r[0].value == DEDUCTED)[4].value
            assert isinstance(deducted, (int, float)) and deducted <= 0  # a number, never neutralised text
            assert isinstance(lines[0][4].value, (int, float)) and lines[0][4].value == 10
            for line in lines:  # text as typed, a string cell with Excel's quotePrefix, never a formula
                assert [(c.value, c.data_type, c.quotePrefix) for c in line[2:4]] == [
                    ("=cmd|' /C calc'!A0", "s", True),
                    ("-2+3", "s", True),
                ], url
            assert all(cell.data_type != "f" for row in rows for cell in row), url
