"""Chorus Pro's references, captured at acceptance and written on the invoice: the commitment number
(numéro d'engagement) and the service code (ADR 0045).

The invoice table keeps its append-only triggers: its columns are added with plain ALTER TABLE
(SQLite would rebuild the table for a NOT NULL column through Django's AddField, and drop them)."""

from django.db import migrations, models


def fields():
    """New field instances each time: a field belongs to the one model state it is added to."""
    return [
        ("commitment_number", 50, models.CharField(blank=True, max_length=50, verbose_name="numéro d'engagement")),
        ("service_code", 100, models.CharField(blank=True, max_length=100, verbose_name="code service")),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_dated_by_services"),
    ]

    operations = [
        *[migrations.AddField(model_name="quote", name=name, field=field) for name, _, field in fields()],
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="invoice", name=name, field=field) for name, _, field in fields()
            ],
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE billing_invoice ADD COLUMN {name} varchar({length}) NOT NULL DEFAULT ''",
                    f"ALTER TABLE billing_invoice DROP COLUMN {name}",
                )
                for name, length, _ in fields()
            ],
        ),
    ]
