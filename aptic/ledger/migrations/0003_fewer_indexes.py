"""Drop indexes nothing reads: the account's (entry_account_idx starts with it) and the LIKE index
of references. On SQLite, altering a column rebuilds the table and loses its triggers: the
append-only triggers of 0002 are written again."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_0002 = importlib.import_module("aptic.ledger.migrations.0002_append_only_triggers")
_TRIGGERS = _0002.run({"sqlite": _0002.SQLITE})


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _TRIGGERS),  # unapplied: after the rebuilds
        migrations.AlterField(
            model_name="entry",
            name="account",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="entries", to="ledger.account"
            ),
        ),
        migrations.AlterField(
            model_name="transaction",
            name="reference",
            field=models.CharField(max_length=100, verbose_name="référence"),
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(fields=["reference"], name="transaction_reference_idx"),
        ),
        migrations.RunPython(_TRIGGERS, migrations.RunPython.noop),
    ]
