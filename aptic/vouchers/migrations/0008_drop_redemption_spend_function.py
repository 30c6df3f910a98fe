"""PostgreSQL: `aptic_redemption_spend` (migration 0006, the one-trip path) is dropped. Every
redemption is written by `aptic_redemption_write` (migration 0004) alone (ADR 0029). Going back
creates it again, as migration 0006 wrote it."""

import importlib

from django.db import migrations


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS aptic_redemption_spend")


def create(apps, schema_editor):
    spend = importlib.import_module("aptic.vouchers.migrations.0006_redemption_spend_function")
    spend.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0007_amounts_in_range")]
    operations = [migrations.RunPython(drop, create)]
