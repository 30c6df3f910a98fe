"""PostgreSQL: a funder's dashboard reads its rows from the indexes alone (ADR 0062, migration
reporting/0008). A column added to a rollup but not to these indexes would send every read back to
the table's pages, scattered by the fold (the full-scale bench showed which reads take them): this
test fails first."""

import pytest
from django.db import connection

from aptic.reporting.models import COHORTS, ROLLUPS, UsageDaily, UsagePlaceMonthly

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

COVERING = {
    "usage_placemonthly_key": UsagePlaceMonthly,
    "usage_daily_funder_day": UsageDaily,
    "usage_daily_funder_narrow": UsageDaily,
}


def test_the_covering_indexes_hold_every_column_of_their_table():
    for name, model in COVERING.items():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indexrelid = %s::regclass",
                [name],
            )
            columns = {row[0] for row in cursor.fetchall()}
        assert columns == {field.column for field in model._meta.concrete_fields} - {"id"}, name


def test_every_rollup_is_vacuumed_after_one_percent_of_new_rows():
    """Index-only scans skip only the pages VACUUM marked all-visible: PostgreSQL's default (20 % of
    the rows) would leave weeks of a large rollup to the table's pages."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [[model._meta.db_table for model in ROLLUPS + COHORTS]],
        )
        options = dict(cursor.fetchall())
    assert len(options) == len(ROLLUPS + COHORTS)
    for table, settings in options.items():
        assert {"autovacuum_vacuum_insert_scale_factor=0.01", "autovacuum_vacuum_scale_factor=0.01"} <= set(
            settings or ()
        ), table
