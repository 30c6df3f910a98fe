"""Every payout line names an existing voucher, checked once per statement (ADR 0016).

The line's voucher column has no foreign key (`db_constraint=False`): its check, row by row at
commit, locks each voucher (FOR KEY SHARE) and added 12 to 14 s to the preparation of a
million-voucher run. This trigger makes the same existence check set-based — one anti-join over the
rows a statement inserted (a transition table) — for a fraction of that. A voucher in a line cannot
be deleted afterwards: it is redeemed, so a redemption line (a real foreign key) protects it, and
vouchers are never deleted anyway. PostgreSQL only, like the ledger's guards."""

from django.db import migrations

from ._postgres import postgres_only

CREATE = [
    """
    CREATE OR REPLACE FUNCTION payouts_line_voucher_exists() RETURNS trigger AS $$
    DECLARE missing bigint;
    BEGIN
        SELECT n.voucher_id INTO missing FROM payouts_new_lines n
        WHERE NOT EXISTS (SELECT 1 FROM vouchers_voucher v WHERE v.id = n.voucher_id) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'ligne de remboursement pour un chèque inexistant (n° %)', missing
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """CREATE TRIGGER payouts_line_voucher_exists AFTER INSERT ON payouts_payoutline
       REFERENCING NEW TABLE AS payouts_new_lines
       FOR EACH STATEMENT EXECUTE FUNCTION payouts_line_voucher_exists();""",
]
DROP = [
    "DROP TRIGGER IF EXISTS payouts_line_voucher_exists ON payouts_payoutline;",
    "DROP FUNCTION IF EXISTS payouts_line_voucher_exists();",
]


class Migration(migrations.Migration):
    dependencies = [("payouts", "0002_voucher_fillfactor")]

    operations = [migrations.RunPython(postgres_only(CREATE), postgres_only(DROP))]
