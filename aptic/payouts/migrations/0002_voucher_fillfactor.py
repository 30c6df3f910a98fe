"""Room on each voucher page for the status changes of a payout run (ADR 0016).

A payout turns its vouchers `redeemed` → `reimbursed`. The status is in no index, so PostgreSQL can
write the new row version on the same page without touching the voucher table's four indexes (a
"HOT" update) — if the page has room. COPY and INSERT pack pages full by default; a fill factor of
80 keeps a fifth of each new page free for later versions. It applies to pages written from now on
(existing ones are not rewritten). The table is the vouchers app's; the setting is here because the
payout run is what needs it. PostgreSQL only."""

from django.db import migrations

FILLFACTOR = 80


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE vouchers_voucher SET (fillfactor = {FILLFACTOR})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE vouchers_voucher RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial"), ("vouchers", "0004_redemption_write_function")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
