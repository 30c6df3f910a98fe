"""Every payout line names an existing voucher, checked once per statement (ADR 0016).

The line's voucher column has no foreign key (`db_constraint=False`): its check, row by row at
commit, locks each voucher (FOR KEY SHARE) and added 12 to 14 s to the preparation of a
million-voucher run. This trigger makes the same existence check set-based — one anti-join over the
rows a statement inserted (a transition table) — for a fraction of that. A voucher in a line cannot
be deleted afterwards: it is redeemed, so a redemption line (a real foreign key) protects it, and
vouchers are never deleted anyway. PostgreSQL only, like the ledger's guards."""

from django.db import migrations

from ._postgres import line_reference_check, postgres_only

CREATE, DROP = line_reference_check(
    "voucher_id", "vouchers_voucher", "ligne de remboursement pour un chèque inexistant (n° %)"
)


class Migration(migrations.Migration):
    dependencies = [("payouts", "0002_voucher_fillfactor")]

    operations = [migrations.RunPython(postgres_only(CREATE), postgres_only(DROP))]
