"""The services date these rows (ADR 0037): `auto_now_add` becomes a default the service may
override. The column is the same (no default in the database), so only Django's state changes:
rebuilding the table (SQLite alters by copying it) would drop its append-only triggers."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0003_questionnaire_and_charter"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="charteracceptance",
                    name="accepted_at",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="acceptée le"
                    ),
                ),
                migrations.AlterField(
                    model_name="kitshipment",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                migrations.AlterField(
                    model_name="provider",
                    name="requested_at",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="demande d'éligibilité le"
                    ),
                ),
                migrations.AlterField(
                    model_name="providerevent",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name="le"),
                ),
                migrations.AlterField(
                    model_name="sponsorship",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                migrations.AlterField(
                    model_name="submission",
                    name="submitted_at",
                    field=models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="envoyé le"
                    ),
                ),
                migrations.AlterField(
                    model_name="subscription",
                    name="created_at",
                    field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
            ],
            database_operations=[],
        ),
    ]
