"""Room on each voucher page for the status changes of a payout run (ADR 0016).

A payout turns its vouchers `redeemed` → `reimbursed`. The status is in no index, so PostgreSQL can
write the new row version on the same page without touching the voucher table's four indexes (a
"HOT" update) — if the page has room. COPY and INSERT pack pages full by default; a fill factor of
80 keeps a fifth of each new page free for later versions. It applies to pages written from now on
(existing ones are not rewritten). The table is the vouchers app's; the setting is here because the
payout run is what needs it. PostgreSQL only."""

from django.db import migrations

from ._postgres import postgres_only

FILLFACTOR = 80


SET = [f"ALTER TABLE vouchers_voucher SET (fillfactor = {FILLFACTOR})"]
RESET = ["ALTER TABLE vouchers_voucher RESET (fillfactor)"]


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial"), ("vouchers", "0004_redemption_write_function")]

    operations = [migrations.RunPython(postgres_only(SET), postgres_only(RESET))]
