"""The audit journal is append-only, as the ledger (ledger/migrations/0002): the database refuses
updates, and on PostgreSQL deletes too. SQLite keeps deletes possible because Django's test flush
empties tables with DELETE (PostgreSQL's flush truncates, which row triggers do not see)."""

from django.db import migrations

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'le journal des actions est en ajout seul : % refusé', TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_refuse_change();",
]
SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'le journal des actions est en ajout seul'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_auditevent_no_update;"]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
