"""PostgreSQL: the indexes a dashboard reads its funder's rows by carry every other column
(INCLUDE), so that PostgreSQL answers from the index alone (index-only scans, ADR 0062).

The fold writes each funder's rows among every other funder's, day after day: the largest funder's
25,433 rows of UsagePlaceMonthly lay on 74,610 buffers, its 71,417 rows of UsageDaily under a
département and a public on 65,000. In the index they are one range: 489 and 1,462 buffers.

- UsagePlaceMonthly's unique key (the fold's ON CONFLICT target, same key columns) carries the
  measures: "since the start" and "this year" read their places from it.
- UsageDaily's indexes by funder and day, and by funder, public, département, category and typology,
  carry the other dimensions and the measures: a period's partial months, and the filters read
  from UsageDaily.

Also, on both databases, UsageDaily indexed by funder then commune or EPCI: a funder's rows of one
EPCI, which the covering indexes only find by scanning the funder's whole range.

Not on SQLite (no INCLUDE; the embedded databases are small). The models keep declaring the key
columns only: Django's INCLUDE would drop the unique constraint on SQLite. test_covering_indexes
checks that these indexes hold every column of their table."""

from django.db import migrations, models

MEASURES = "used, used_cents, services, price_cents, on_top_cents, handed_out, shipped, expired, stopped"
PLACE_KEY = "funder_id, day, order_id, place_id, category_id, typology_id, commune, epci, departement, region"
DAILY = {
    "usage_daily_funder_day": ("funder_id, day", "order_id, place_id, category_id, typology_id, commune, epci, "
                               "departement, region, distributor_id, public, delay_days"),
    "usage_daily_funder_narrow": ("funder_id, public, departement, category_id, typology_id",
                                  "day, order_id, place_id, commune, epci, region, distributor_id, delay_days"),
}  # fmt: skip


def _place_key(schema_editor, include: str) -> None:
    schema_editor.execute(
        "ALTER TABLE reporting_usageplacemonthly DROP CONSTRAINT usage_placemonthly_key, "
        f"ADD CONSTRAINT usage_placemonthly_key UNIQUE ({PLACE_KEY}){include}"
    )


def _daily(schema_editor, covering: bool) -> None:
    for name, (key, others) in DAILY.items():
        include = f" INCLUDE ({others}, {MEASURES})" if covering else ""
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON reporting_usagedaily ({key}){include}")


def cover(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _place_key(schema_editor, f" INCLUDE ({MEASURES})")
        _daily(schema_editor, covering=True)
        # Index-only scans read the table only for its pages not yet marked all-visible: autovacuum
        # marks them once folded (ADR 0062).
        schema_editor.execute("ANALYZE reporting_usageplacemonthly")
        schema_editor.execute("ANALYZE reporting_usagedaily")


def uncover(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _place_key(schema_editor, "")
        _daily(schema_editor, covering=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0007_usage_daily_place_statistics"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="usagedaily",
            index=models.Index(fields=["funder_id", "commune", "day"], name="usage_daily_funder_commune"),
        ),
        migrations.AddIndex(
            model_name="usagedaily",
            index=models.Index(fields=["funder_id", "epci", "day"], name="usage_daily_funder_epci"),
        ),
        migrations.RunPython(cover, uncover),
    ]
