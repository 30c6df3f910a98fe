"""The export of places in the national standard, as CSV and as JSON, written piece by piece, and the
CSV's XLSX twin (ADR 0044).

CSV is the standard's own format: UTF-8 without BOM, comma-separated, a header with the standard's
column names in its order, RFC 4180 quoting, multi-valued cells joined with "|"; a text cell that
starts like a formula ("=", "+", "-", "@", tab, CR) gets a single quote in front (ADR 0021).

JSON: the standard defines only the table, not a JSON form. We publish what the national
cartography (ANCT) publishes with its library `@gouvfr-anct/lieux-de-mediation-numerique`
(`toSchemaLieuxDeMediationNumerique`): an array of flat objects whose keys are the standard's
column names, multi-valued fields as the same "|"-joined strings, latitude and longitude as JSON
numbers, dates as "YYYY-MM-DD" strings. One difference: the ANCT omits empty fields, we keep every
key in the standard's order with `null`, so that each object has the same keys as the CSV header.
Converting the JSON to rows in that key order gives the CSV back, value for value (but for the quote
before a formula-looking text).
"""

import datetime
import json
from collections.abc import Iterable, Iterator

from aptic.core import tabular

from . import standard

ROWS_PER_CHUNK = 200


def csv_chunks(rows: Iterable[dict]) -> Iterator[bytes]:
    """Through the platform's one writer (aptic.core.tabular), in the standard's own dialect: a text
    cell that a spreadsheet would run as a formula starts with a single quote there (the JSON keeps
    the raw value)."""
    columns = standard.columns()
    return tabular.csv_chunks(
        columns,
        ([row[column] for column in columns] for row in rows),
        dialect=tabular.RFC4180,
        rows_per_chunk=ROWS_PER_CHUNK,
    )


def _typed(column: str, value):
    """A cell as the standard types it, for a workbook: its dates as dates (the CSV writes them as text)."""
    if value and standard.fields()[column].get("type") == "date":
        return datetime.date.fromisoformat(value)
    return value


def xlsx_write(target, rows: Iterable[dict]) -> None:
    """The CSV's twin: the same columns and rows through the same writer, numbers and dates typed."""
    columns = standard.columns()
    typed = ([_typed(column, row[column]) for column in columns] for row in rows)
    tabular.xlsx_write(target, [tabular.Sheet("Lieux", columns, typed)])


def json_chunks(rows: Iterable[dict]) -> Iterator[bytes]:
    columns = standard.columns()
    buffer = []
    separator = "[\n"
    for row in rows:
        buffer.append(separator + json.dumps({column: row[column] for column in columns}, ensure_ascii=False))
        separator = ",\n"
        if len(buffer) >= ROWS_PER_CHUNK:
            yield "".join(buffer).encode()
            buffer = []
    buffer.append("[]\n" if separator == "[\n" else "\n]\n")
    yield "".join(buffer).encode()
