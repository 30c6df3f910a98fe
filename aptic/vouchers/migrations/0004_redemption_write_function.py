"""PostgreSQL: the write half of a redemption as one server-side function (ADR 0017).

One round trip instead of six: the conditional UPDATE (the first barrier against a double spend)
must flip exactly the vouchers asked for, or the whole statement fails and nothing is written;
the partial unique index on live redemption lines stays the second barrier; the ledger's deferred
trigger still checks the transaction balances at commit. SQLite (embedded mode) runs the same
writes through the ORM (aptic/vouchers/redemption_write.py)."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION aptic_redemption_write(
    p_provider bigint, p_place bigint, p_offer bigint, p_price integer, p_covered integer,
    p_user bigint, p_at timestamptz, p_key varchar, p_vouchers bigint[], p_amounts integer[],
    p_reason varchar, p_description varchar, p_accounts bigint[], p_entry_amounts bigint[]
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    redemption bigint;
    posted bigint;
    flipped integer;
BEGIN
    INSERT INTO vouchers_redemption (provider_id, place_id, offer_id, price_cents, covered_cents,
        remainder_cents, voucher_count, created_by_id, created_at, idempotency_key, cancel_reason)
    VALUES (p_provider, p_place, p_offer, p_price, p_covered, greatest(0, p_price - p_covered),
        cardinality(p_vouchers), p_user, p_at, p_key, '')
    RETURNING id INTO redemption;
    UPDATE vouchers_voucher SET status = 'redeemed', redemption_id = redemption
    WHERE id = ANY(p_vouchers) AND status = 'active';
    GET DIAGNOSTICS flipped = ROW_COUNT;
    IF flipped <> cardinality(p_vouchers) THEN
        RAISE EXCEPTION 'aptic_voucher_taken' USING ERRCODE = 'P0001';
    END IF;
    INSERT INTO vouchers_redemptionline (redemption_id, voucher_id, amount_cents, is_cancelled)
    SELECT redemption, v, a, false FROM unnest(p_vouchers, p_amounts) AS u(v, a);
    INSERT INTO vouchers_voucherevent (voucher_id, from_status, to_status, actor_id, reason, redemption_id, created_at)
    SELECT v, 'active', 'redeemed', p_user, p_reason, redemption, p_at FROM unnest(p_vouchers) AS v;
    INSERT INTO ledger_transaction (kind, description, reference, actor_id, created_at)
    VALUES ('redemption', left(replace(p_description, '{id}', redemption::text), 250),
        'redemption:' || redemption, p_user, now())
    RETURNING id INTO posted;
    INSERT INTO ledger_entry (transaction_id, account_id, amount_cents)
    SELECT posted, a, m FROM unnest(p_accounts, p_entry_amounts) AS u(a, m);
    RETURN redemption;
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS aptic_redemption_write")


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0003_rating"), ("ledger", "0002_append_only_triggers")]
    operations = [migrations.RunPython(create, drop)]
