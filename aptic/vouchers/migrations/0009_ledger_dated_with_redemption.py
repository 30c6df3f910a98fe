"""PostgreSQL: the redemption's ledger transaction is dated with the redemption (`p_at`), as the ORM
writer dates it (ADR 0037); it was dated by the clock (`now()`), which differs for a back-dated
redemption (demo history, imports). Going back restores migration 0004's function."""

import importlib

from django.db import migrations

WRITE = importlib.import_module("aptic.vouchers.migrations.0004_redemption_write_function")
DATED = WRITE.FUNCTION.replace(
    "'redemption:' || redemption, p_user, now())", "'redemption:' || redemption, p_user, p_at)"
)
assert DATED != WRITE.FUNCTION


def dated(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DATED)


def undated(apps, schema_editor):
    WRITE.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0008_drop_redemption_spend_function")]
    operations = [migrations.RunPython(dated, undated)]
