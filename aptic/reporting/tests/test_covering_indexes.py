"""PostgreSQL: a funder's dashboard reads its rows from the indexes alone (ADR 0062, migration
reporting/0008). A column added to a rollup but not to these indexes would send every read back to
the table's pages, scattered by the fold (the full-scale bench showed which reads take them): this
test fails first."""

import pytest
from django.db import connection

from aptic.reporting.models import UsageDaily, UsagePlaceMonthly

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
