"""Whatever the bytes, the import answers with a French message or a report: never a crash."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aptic.core.errors import DomainError
from aptic.opendata import reading, standard
from aptic.opendata.services import places_import

from .helpers import counts, csv_bytes, example_row


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=3000), st.text(max_size=1000).map(str.encode)))
def test_any_bytes_give_a_table_or_a_french_message(data):
    try:
        table = reading.read_table(data)
    except DomainError as exc:
        assert exc.field == "file" and exc.message
    else:
        assert table.rows


HEADER = ",".join(standard.columns()).encode() + b"\r\n"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_after_a_valid_header_give_a_french_message_or_a_report(data):
    try:
        table = reading.read_table(HEADER + data)
    except DomainError as exc:
        assert exc.field == "file" and exc.message
    else:
        assert all(set(row.values) <= set(standard.columns()) for row in table.rows)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(standard.columns()),
        st.one_of(st.text(max_size=40), st.sampled_from(["", "0", "-1", "1e400", "nan", "2A004", "99999", "|", "||"])),
        max_size=8,
    )
)
def test_any_values_in_a_row_give_a_report_and_write_nothing_on_error(changes):
    before = counts()
    row = {**example_row(), **changes}
    try:
        report = places_import(data=csv_bytes([row]), filename="fuzz.csv", dry_run=True)
    except DomainError as exc:  # e.g. a value with a NUL or another control character
        assert exc.field == "file"
    else:
        assert report.rows_total == 1
        assert all(message.startswith("Ligne 2") for message in report.rows[0].messages)
    assert counts() == before
