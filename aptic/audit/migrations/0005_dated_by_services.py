"""The services date these rows (ADR 0037): `auto_now_add` becomes a default the service may
override. The column is the same (no default in the database), so only Django's state changes:
rebuilding the table (SQLite alters by copying it) would drop its append-only triggers."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_dashboard_viewed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="created_at",
                    field=models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="date"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
