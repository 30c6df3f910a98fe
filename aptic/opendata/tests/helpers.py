"""Shared by the tests of open data: files of the standard, validation with frictionless."""

import csv
import io
import json
from pathlib import Path

from frictionless import Resource, Schema, validate

from aptic.accounts.models import Organisation
from aptic.opendata import standard
from aptic.places.models import Place

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = DATA / "lieux-mediation-numerique-exemple-valide.csv"
EXAMPLE_SIRET = "43493312300029"


def example_row() -> dict:
    with open(EXAMPLE, encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))


def csv_bytes(rows: list[dict], *, delimiter: str = ",", encoding: str = "utf-8", columns=None) -> bytes:
    columns = columns or standard.columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode(encoding)


def counts() -> tuple[int, int]:
    return Place.objects.count(), Organisation.objects.count()


def _schema() -> Schema:
    # From the parsed file: frictionless refuses absolute paths outside the working directory.
    return Schema.from_descriptor(json.loads(standard.SCHEMA_PATH.read_text(encoding="utf-8")))


def frictionless_errors(report) -> list:
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


def validate_csv(data: bytes):
    return validate(Resource(data=data, format="csv", schema=_schema()))


def validate_json_objects(objects: list[dict]):
    """The JSON export, turned into rows in the standard's column order, validated as a table."""
    columns = standard.columns()
    rows = [columns] + [[obj[column] for column in columns] for obj in objects]
    return validate(Resource(data=rows, schema=_schema()))
