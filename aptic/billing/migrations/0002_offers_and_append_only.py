"""The three offers of PRODUCT.md, and database guards: accounting documents are never updated nor
deleted (corrections are credit notes)."""

from django.db import migrations

OFFERS = [
    # code, name, position, minimum, booklets of 5, of 10, cover, distribution, delivery, targeting, white label
    ("standard", "Standard", 1, 1000, False, True, False, False, False, False, False),
    ("plus", "Plus", 2, 2000, True, True, False, True, True, False, False),
    ("premium", "Premium", 3, 2000, True, True, True, True, True, True, True),
]
FIELDS = (
    "code",
    "name",
    "position",
    "minimum_quantity",
    "allows_booklet_5",
    "allows_booklet_10",
    "allows_custom_cover",
    "allows_platform_distribution",
    "allows_network_delivery",
    "allows_service_targeting",
    "white_label_exports",
)
TABLES = [
    "billing_invoice",
    "billing_invoiceline",
    "billing_creditnote",
    "billing_creditapplication",
    "billing_payment",
    "billing_fundmovement",
]
POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION billing_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'document comptable définitif : % refusé sur % (corrigez par un avoir)', TG_OP, TG_TABLE_NAME;
    END;
    $$ LANGUAGE plpgsql;
    """,
    *[
        f"""CREATE TRIGGER {t}_final BEFORE UPDATE OR DELETE ON {t}
            FOR EACH ROW EXECUTE FUNCTION billing_refuse_change();"""
        for t in TABLES
    ],
]
POSTGRES_REVERSE = [f"DROP TRIGGER IF EXISTS {t}_final ON {t};" for t in TABLES] + [
    "DROP FUNCTION IF EXISTS billing_refuse_change();"
]
# SQLite: updates refused; deletes stay possible for Django's test flush (as in the ledger).
SQLITE = [
    f"""CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t}
        BEGIN SELECT RAISE(ABORT, 'document comptable définitif (corrigez par un avoir)'); END;"""
    for t in TABLES
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {t}_no_update;" for t in TABLES]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return apply


def seed_offers(apps, schema_editor):
    Offer = apps.get_model("billing", "Offer")
    for values in OFFERS:
        row = dict(zip(FIELDS, values, strict=True))
        Offer.objects.update_or_create(code=row.pop("code"), defaults=row)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [
        migrations.RunPython(seed_offers, migrations.RunPython.noop),
        migrations.RunPython(
            run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
