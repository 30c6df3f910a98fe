"""A payout line never changes its payout or its voucher (PostgreSQL, like 0003 and 0004): with the
foreign keys replaced by checks on insert, an update must not be able to point a line elsewhere."""

from django.db import migrations

from ._postgres import postgres_only

CREATE = [
    """
    CREATE OR REPLACE FUNCTION payouts_line_never_moves() RETURNS trigger AS $$
    BEGIN
        IF NEW.payout_id <> OLD.payout_id OR NEW.voucher_id <> OLD.voucher_id THEN
            RAISE EXCEPTION 'une ligne de remboursement ne change ni de remboursement ni de chèque'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """CREATE TRIGGER payouts_line_never_moves BEFORE UPDATE OF payout_id, voucher_id ON payouts_payoutline
       FOR EACH ROW EXECUTE FUNCTION payouts_line_never_moves();""",
]
DROP = [
    "DROP TRIGGER IF EXISTS payouts_line_never_moves ON payouts_payoutline;",
    "DROP FUNCTION IF EXISTS payouts_line_never_moves();",
]


class Migration(migrations.Migration):
    dependencies = [("payouts", "0004_line_payout_checked")]

    operations = [migrations.RunPython(postgres_only(CREATE), postgres_only(DROP))]
