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
- The rollups are vacuumed after 1 % of new rows, not PostgreSQL's 20 %: an index-only scan reads
  the table's pages that VACUUM has not yet marked all-visible.

Also, on both databases, UsageDaily indexed by funder then commune or EPCI: a funder's rows of one
EPCI, which the covering indexes only find by scanning the funder's whole range.

Not atomic: every index is built CONCURRENTLY, then swapped in, so that dashboards and the fold go on
meanwhile (a table is locked only for the swap). Each step can run again after a failure.

Not on SQLite (no INCLUDE; the embedded databases are small). The models keep declaring the key
columns only: Django's INCLUDE would drop the unique constraint on SQLite. test_covering_indexes
checks that these indexes hold every column of their table. A new column means a new migration that
rebuilds them (ADR 0062)."""

from django.db import migrations, models

MEASURES = "used, used_cents, services, price_cents, on_top_cents, handed_out, shipped, expired, stopped"
PLACE_KEY = "funder_id, day, order_id, place_id, category_id, typology_id, commune, epci, departement, region"
DAILY = {
    "usage_daily_funder_day": ("funder_id, day", "order_id, place_id, category_id, typology_id, commune, epci, "
                               "departement, region, distributor_id, public, delay_days"),
    "usage_daily_funder_narrow": ("funder_id, public, departement, category_id, typology_id",
                                  "day, order_id, place_id, commune, epci, region, distributor_id, delay_days"),
}  # fmt: skip
NEW = {"usage_daily_funder_commune": "funder_id, commune, day", "usage_daily_funder_epci": "funder_id, epci, day"}
ROLLUPS = (
    "reporting_usagedaily", "reporting_usagemonthly", "reporting_usagepublicdaily", "reporting_usageplacemonthly",
    "reporting_usagedelaymonthly", "reporting_usagefunderdaily", "reporting_usagecohortdaily",
    "reporting_usagecohortmonthly", "reporting_usagepublicmonthly", "reporting_usagecategorymonthly",
    "reporting_usageterritorymonthly",
)  # fmt: skip
VACUUM_AFTER = ("autovacuum_vacuum_insert_scale_factor", "autovacuum_vacuum_scale_factor")  # 1 % of the rows


def _swap_index(run, name: str, create: str) -> None:
    """Build `create` (a CREATE INDEX statement for {name}) concurrently, then put it in place of `name`."""
    run(f"DROP INDEX CONCURRENTLY IF EXISTS {name}_new")  # a failed earlier build leaves it invalid
    run(create.format(name=f"{name}_new"))
    run(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    run(f"ALTER INDEX {name}_new RENAME TO {name}")


def _place_key(run, include: str) -> None:
    run("DROP INDEX CONCURRENTLY IF EXISTS usage_placemonthly_key_new")
    run(
        f"CREATE UNIQUE INDEX CONCURRENTLY usage_placemonthly_key_new ON reporting_usageplacemonthly ({PLACE_KEY}){include}"
    )
    # The constraint takes the built index: a moment's lock, no build under it.
    run(
        "ALTER TABLE reporting_usageplacemonthly DROP CONSTRAINT usage_placemonthly_key, "
        "ADD CONSTRAINT usage_placemonthly_key UNIQUE USING INDEX usage_placemonthly_key_new"
    )


def _covering(schema_editor, covering: bool) -> None:
    run = schema_editor.execute
    _place_key(run, f" INCLUDE ({MEASURES})" if covering else "")
    for name, (key, others) in DAILY.items():
        include = f" INCLUDE ({others}, {MEASURES})" if covering else ""
        _swap_index(run, name, f"CREATE INDEX CONCURRENTLY {{name}} ON reporting_usagedaily ({key}){include}")
    vacuum = ", ".join(f"{setting} = 0.01" for setting in VACUUM_AFTER)
    for table in ROLLUPS:
        run(
            f"ALTER TABLE {table} SET ({vacuum})"
            if covering
            else f"ALTER TABLE {table} RESET ({', '.join(VACUUM_AFTER)})"
        )


def cover(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _covering(schema_editor, covering=True)
        schema_editor.execute("ANALYZE reporting_usageplacemonthly")
        schema_editor.execute("ANALYZE reporting_usagedaily")


def uncover(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _covering(schema_editor, covering=False)


def add_new(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name, key in NEW.items():
        schema_editor.execute(f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON reporting_usagedaily ({key})")


def drop_new(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name in NEW:
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("reporting", "0007_usage_daily_place_statistics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="usagedaily",
                    index=models.Index(fields=["funder_id", "commune", "day"], name="usage_daily_funder_commune"),
                ),
                migrations.AddIndex(
                    model_name="usagedaily",
                    index=models.Index(fields=["funder_id", "epci", "day"], name="usage_daily_funder_epci"),
                ),
            ],
            database_operations=[migrations.RunPython(add_new, drop_new)],
        ),
        migrations.RunPython(cover, uncover),
    ]
