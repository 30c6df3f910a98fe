"""A payout line's payout is checked once per statement, not row by row (ADR 0016).

The foreign key from a line to its payout was checked at commit for each of a million lines (with
a lock on the payout row the batch already holds): 0.7 to 0.9 s per 100,000 lines. It goes, and two
triggers keep what it guaranteed: the lines a statement inserts name existing payouts (one anti-join
over the transition table, like 0003 for vouchers), and a payout that has lines cannot be deleted.
PostgreSQL only, like the ledger's guards."""

import django.db.models.deletion
from django.db import migrations, models

from ._postgres import line_reference_check, postgres_only

LINE_CREATE, LINE_DROP = line_reference_check(
    "payout_id", "payouts_payout", "ligne d''un remboursement inexistant (n° %)"
)
CREATE = LINE_CREATE + [
    """
    CREATE OR REPLACE FUNCTION payouts_payout_keep_lines() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM payouts_payoutline WHERE payout_id = OLD.id) THEN
            RAISE EXCEPTION 'le remboursement n° % a des chèques : il ne peut pas être supprimé', OLD.id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN OLD;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """CREATE TRIGGER payouts_payout_keep_lines BEFORE DELETE ON payouts_payout
       FOR EACH ROW EXECUTE FUNCTION payouts_payout_keep_lines();""",
]
DROP = [
    "DROP TRIGGER IF EXISTS payouts_payout_keep_lines ON payouts_payout;",
    "DROP FUNCTION IF EXISTS payouts_payout_keep_lines();",
    *LINE_DROP,
]


class Migration(migrations.Migration):
    dependencies = [("payouts", "0003_line_voucher_exists")]

    operations = [
        migrations.AlterField(
            model_name="payoutline",
            name="payout",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="payouts.payout",
            ),
        ),
        migrations.RunPython(postgres_only(CREATE), postgres_only(DROP)),
    ]
