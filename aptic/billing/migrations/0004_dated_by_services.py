"""The services date these rows (ADR 0037): `auto_now_add` becomes a default the service may
override. The column is the same (no default in the database), so only Django's state changes:
rebuilding the table (SQLite alters by copying it) would drop its append-only triggers."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_amounts_in_range"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="creditnote",
                    name="created_at",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="enregistré le"
                    ),
                ),
                migrations.AlterField(
                    model_name="fundmovement",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="le"),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="created_at",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="enregistrée le"
                    ),
                ),
                migrations.AlterField(
                    model_name="payment",
                    name="recorded_at",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="enregistré le"
                    ),
                ),
                migrations.AlterField(
                    model_name="quote",
                    name="created_at",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="créé le"
                    ),
                ),
                migrations.AlterField(
                    model_name="quoterequest",
                    name="created_at",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="reçue le"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
