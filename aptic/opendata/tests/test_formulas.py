"""A place or provider named like a spreadsheet formula is published as text a spreadsheet shows,
never runs: the CSV neutralises the cell (a quote in front), the JSON keeps the raw value."""

import csv
import io
import json

import pytest
from django.urls import reverse

from . import factories

pytestmark = pytest.mark.django_db


def _body(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8")


def test_formula_looking_names_are_neutralised_in_the_csv_and_raw_in_the_json(client):
    organisation = factories.provider(name="+SUM(1)")
    dangerous = factories.place(
        organisation,
        "=cmd|' /C calc'!A0",
        address="@SUM(1) rue du Tableur",
        description="-2+3",
        insee_code="33063",  # Bordeaux: a negative longitude, a number written as one, never neutralised
        phone="05 56 00 00 00",
    )
    factories.offer(dangerous, "Aide aux démarches administratives", 0)

    body = _body(client, "opendata:places_csv")
    assert not body.startswith("\ufeff")  # the standard's dialect: no BOM, commas
    (row,) = csv.DictReader(io.StringIO(body, newline=""))
    assert row["nom"] == "'=cmd|' /C calc'!A0"
    assert row["structure_parente"] == "'+SUM(1)"
    assert row["adresse"] == "'@SUM(1) rue du Tableur"
    assert row["presentation_detail"] == "'-2+3"
    assert float(row["longitude"]) < 0 and row["telephone"] == "+33556000000"  # plain numbers stay as they are
    for value in row.values():
        assert not value.startswith(("=", "@", "\t", "\r")), value

    (published,) = json.loads(_body(client, "opendata:places_json"))
    assert published["nom"] == "=cmd|' /C calc'!A0" and published["structure_parente"] == "+SUM(1)"
    assert published["presentation_detail"] == "-2+3" and published["longitude"] == float(row["longitude"])
