"""PostgreSQL: a whole redemption in one round trip, for orders already known to pass this
counter's rules (ADR 0028, superseded by 0029: dropped by migration 0008).

`aptic_redemption_spend` takes the typed codes (normalised) and the orders whose rules the service
has already found to accept this place, service and day, each with its face value, maximum per act
and outstanding account, as the service read them. It flips the active vouchers of those codes and
orders with the same conditional UPDATE as `aptic_redemption_write`, then checks what the service
would check on the rows it flipped: every code found, at most the order's maximum per act, no
voucher more than the price needs. Anything else raises `aptic_not_fast`: the statement is
undone whole and the service takes its usual read-judge-write path, which names the refusal. So
this function never refuses by itself; it only spares the read when everything is in order.

Like `aptic_redemption_write`, it takes the idempotency key (the redemption row) before the
vouchers, and the vouchers in id order, as the lifecycle does: twins on the two paths, or tills
sharing a voucher, queue instead of deadlocking.

The ledger's deferred trigger still checks the transaction balances at commit."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION aptic_redemption_spend(
    p_provider bigint, p_place bigint, p_offer bigint, p_price integer, p_user bigint,
    p_at timestamptz, p_key varchar, p_codes varchar[],
    p_orders bigint[], p_faces integer[], p_most integer[], p_outstanding bigint[], p_payable bigint,
    p_reason varchar, p_description varchar
) RETURNS TABLE (r_redemption bigint, r_voucher bigint, r_order bigint, r_sequence integer, r_amount integer)
LANGUAGE plpgsql AS $$
DECLARE
    redemption bigint;
    ids bigint[];
    orders bigint[];
    sequences integer[];
    faces integer[];
    accounts bigint[];
    covered integer;
    posted bigint;
BEGIN
    -- The idempotency key first, then the vouchers in id order, as aptic_redemption_write and the
    -- lifecycle take them: two tills on either path queue, they never deadlock. The amounts are
    -- set once the vouchers are known (a provisional row that satisfies the checks).
    INSERT INTO vouchers_redemption (provider_id, place_id, offer_id, price_cents, covered_cents,
        remainder_cents, voucher_count, created_by_id, created_at, idempotency_key, cancel_reason)
    VALUES (p_provider, p_place, p_offer, p_price, 0, p_price, greatest(1, cardinality(p_codes)), p_user, p_at,
        p_key, '')
    RETURNING id INTO redemption;
    -- The first barrier, as in aptic_redemption_write: only active vouchers flip, and only those
    -- of the known orders.
    WITH locked AS (
        SELECT id FROM vouchers_voucher
        WHERE code = ANY(p_codes) AND status = 'active' AND order_id = ANY(p_orders)
        ORDER BY id FOR UPDATE
    ), flipped AS (
        UPDATE vouchers_voucher v SET status = 'redeemed', redemption_id = redemption
        FROM locked l WHERE v.id = l.id AND v.status = 'active'
        RETURNING v.id, v.order_id, v.sequence
    )
    SELECT array_agg(f.id ORDER BY f.id), array_agg(f.order_id ORDER BY f.id), array_agg(f.sequence ORDER BY f.id),
        array_agg(k.face ORDER BY f.id), array_agg(k.account ORDER BY f.id), sum(k.face)
    INTO ids, orders, sequences, faces, accounts, covered
    FROM flipped f JOIN unnest(p_orders, p_faces, p_most, p_outstanding) AS k(o, face, most, account) ON k.o = f.order_id;
    -- Every code found and active; then, for more than one voucher, the funder's maximum per
    -- service act and no change given (the fewest vouchers, largest first, that cover the price).
    -- Otherwise the usual path says why.
    IF coalesce(cardinality(ids), 0) <> cardinality(p_codes) OR coalesce(covered, 0) = 0 THEN
        RAISE EXCEPTION 'aptic_not_fast' USING ERRCODE = 'P0001';
    END IF;
    IF cardinality(ids) > 1 AND (
        EXISTS (
            SELECT 1 FROM unnest(orders) AS u(o) JOIN unnest(p_orders, p_most) AS k(o, most) ON k.o = u.o
            GROUP BY u.o, k.most HAVING k.most > 0 AND count(*) > k.most
        ) OR (
            SELECT count(*) FROM (
                SELECT coalesce(sum(f) OVER (ORDER BY f DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                    AS before
                FROM unnest(faces) AS f
            ) s WHERE s.before < p_price
        ) < cardinality(ids)
    ) THEN
        RAISE EXCEPTION 'aptic_not_fast' USING ERRCODE = 'P0001';
    END IF;
    UPDATE vouchers_redemption SET covered_cents = covered, remainder_cents = greatest(0, p_price - covered)
    WHERE id = redemption;
    INSERT INTO vouchers_redemptionline (redemption_id, voucher_id, amount_cents, is_cancelled)
    SELECT redemption, v, a, false FROM unnest(ids, faces) AS u(v, a);
    INSERT INTO vouchers_voucherevent (voucher_id, from_status, to_status, actor_id, reason, redemption_id, created_at)
    SELECT v, 'active', 'redeemed', p_user, p_reason, redemption, p_at FROM unnest(ids) AS v;
    INSERT INTO ledger_transaction (kind, description, reference, actor_id, created_at)
    VALUES ('redemption', left(replace(p_description, '{id}', redemption::text), 250),
        'redemption:' || redemption, p_user, now())
    RETURNING id INTO posted;
    -- Each order's outstanding value down by what its vouchers covered, the provider's payable up.
    INSERT INTO ledger_entry (transaction_id, account_id, amount_cents)
    SELECT posted, u.a, sum(u.f) FROM unnest(accounts, faces) AS u(a, f) GROUP BY u.a HAVING sum(u.f) <> 0
    UNION ALL SELECT posted, p_payable, -covered;
    RETURN QUERY SELECT redemption, u.v, u.o, u.s, u.f FROM unnest(ids, orders, sequences, faces) AS u(v, o, s, f);
END
$$;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS aptic_redemption_spend")


class Migration(migrations.Migration):
    dependencies = [("vouchers", "0005_fewer_indexes"), ("ledger", "0003_fewer_indexes")]
    operations = [migrations.RunPython(create, drop)]
