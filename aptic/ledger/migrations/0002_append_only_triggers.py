"""Database guards of the ledger: rows are never updated nor deleted, and on PostgreSQL every
transaction must balance when the database transaction commits."""

from django.db import migrations

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'le grand livre est en ajout seul : % refusé sur %', TG_OP, TG_TABLE_NAME;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();""",
    """CREATE TRIGGER ledger_transaction_append_only BEFORE UPDATE OR DELETE ON ledger_transaction
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();""",
    """
    CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger AS $$
    DECLARE total bigint;
    BEGIN
        SELECT SUM(amount_cents) INTO total FROM ledger_entry WHERE transaction_id = NEW.transaction_id;
        IF total <> 0 THEN
            RAISE EXCEPTION 'écriture % déséquilibrée de % centimes', NEW.transaction_id, total;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;",
    "DROP TRIGGER IF EXISTS ledger_transaction_append_only ON ledger_transaction;",
    "DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;",
    "DROP FUNCTION IF EXISTS ledger_check_balanced();",
    "DROP FUNCTION IF EXISTS ledger_refuse_change();",
]
# SQLite has no deferred triggers; updates are refused. Deletes stay possible there because
# Django's test flush empties tables with DELETE; PostgreSQL (production) refuses them.
SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS ledger_entry_no_update BEFORE UPDATE ON ledger_entry
       BEGIN SELECT RAISE(ABORT, 'le grand livre est en ajout seul'); END;""",
    """CREATE TRIGGER IF NOT EXISTS ledger_transaction_no_update BEFORE UPDATE ON ledger_transaction
       BEGIN SELECT RAISE(ABORT, 'le grand livre est en ajout seul'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS ledger_entry_no_update;",
    "DROP TRIGGER IF EXISTS ledger_transaction_no_update;",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
