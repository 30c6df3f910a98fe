"""Spreadsheet bombs sent as a mailing's address file: small .xlsx files that unfold into millions of
rows or cells, hundreds of megabytes of text, or an entity bomb, are refused with a French message
before anything is parsed, and the streaming limits hold on their own (issue #12, ADR 0021).
Their time and memory are measured by `python -m bench uploads`, not here."""

import html

import pytest

from aptic.core import tabular
from aptic.core.tests import spreadsheets

from .test_mailings import _nothing_created, _upload

pytestmark = pytest.mark.django_db
HEADER = ["nom", "adresse", "code_postal", "ville"]

BOMBS = {
    "20 millions de lignes vides": (spreadsheets.rows_bomb, "anormalement volumineux"),
    "2 millions de cellules sur une ligne": (spreadsheets.wide_row_bomb, "anormalement volumineux"),
    "un texte partagé de 30 Mo": (
        lambda: spreadsheets.shared_string_bomb(30_000_000),
        "anormalement volumineux",
    ),
    "billion laughs": (spreadsheets.laughs_bomb, "déclaration XML (DOCTYPE)"),
    "20 millions de lignes déclarées": (spreadsheets.declared_rows_bomb, "plus de 100\u202f000 adresses"),
}


@pytest.fixture
def upload(client, funder_admin, funder, released):
    client.force_login(funder_admin)
    order = released(quantity=50)

    def send(data: bytes):
        response = _upload(client, funder, order, "adresses.xlsx", data)
        return response.status_code, html.unescape(response.content.decode())

    return send


@pytest.mark.parametrize("name", BOMBS)
def test_a_bomb_is_refused_in_french_before_parsing(upload, name):
    build, message = BOMBS[name]
    status, page = upload(build())
    assert status == 400
    assert message in page and "Le fichier n'a pas été importé" in page
    assert _nothing_created()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: spreadsheets.rows_bomb(200_000), "plus de 100\u202f000 adresses"),
        (lambda: spreadsheets.wide_row_bomb(20_000), "16\u202f384 cellules sur une ligne"),
        (
            lambda: spreadsheets.workbook(
                [spreadsheets.cells_row(1, HEADER), spreadsheets.cells_row(2, ["a" * 40_000, "b", "33000", "Bordeaux"])]
            ),
            "Ligne 2 : une cellule dépasse 32\u202f767 caractères",
        ),
        (
            lambda: spreadsheets.workbook([spreadsheets.cells_row(1, [f"c{i}" for i in range(60)])]),
            "plus de 50 colonnes remplies",
        ),
    ],
)
def test_the_streaming_limits_hold_without_the_zip_checks(upload, monkeypatch, build, message):
    monkeypatch.setattr(tabular, "MAX_RATIO", 10**9)  # as if the bomb compressed like an honest file
    status, page = upload(build())
    assert status == 400 and message in page
    assert _nothing_created()
