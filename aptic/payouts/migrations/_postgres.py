"""Helper of the payouts migrations (not a migration: the loader skips names starting with "_")."""


def postgres_only(statements):
    """A RunPython function executing these SQL statements on PostgreSQL, nothing elsewhere."""

    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return apply
