"""Helper of the payouts migrations (not a migration: the loader skips names starting with "_")."""


def postgres_only(statements):
    """A RunPython function executing these SQL statements on PostgreSQL, nothing elsewhere."""

    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return apply


def line_reference_check(column: str, table: str, message: str) -> tuple[list[str], list[str]]:
    """(create, drop) statements of a statement-level trigger on payout lines: after an INSERT, one
    anti-join over the inserted rows (a transition table) refuses any whose `column` names no row of
    `table`, with `message` (French, `%` the missing id). A foreign key's existence check, set-based."""
    name = f"payouts_line_{column.removesuffix('_id')}_exists"
    create = [
        f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
        DECLARE missing bigint;
        BEGIN
            SELECT n.{column} INTO missing FROM payouts_new_lines n
            WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = n.{column}) LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION '{message}', missing USING ERRCODE = 'foreign_key_violation';
            END IF;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql;
        """,  # noqa: S608 (constants of the migrations only)
        f"""CREATE TRIGGER {name} AFTER INSERT ON payouts_payoutline
            REFERENCING NEW TABLE AS payouts_new_lines FOR EACH STATEMENT EXECUTE FUNCTION {name}();""",
    ]
    drop = [f"DROP TRIGGER IF EXISTS {name} ON payouts_payoutline;", f"DROP FUNCTION IF EXISTS {name}();"]
    return create, drop
