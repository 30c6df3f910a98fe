"""A redemption in one round trip, when the counter already knows its vouchers' orders pass here
(PostgreSQL only; ADR 0017, session 4).

The rules stay judged in Python, by `rules.refusal`, on the usual path. Each success there teaches
this counter's memory that those orders pass for this setting (place whereabouts and typologies,
service category, day); the memory is filed under the orders' generation, so any change to an
order or its rules forgets it. The next redemption with vouchers of known orders is one call of
`aptic_redemption_spend` (migration 0006), which flips only active vouchers of those orders and
checks the per-act maximum and the no-change rule on the rows it flipped. When anything is not in
order it raises, nothing is written, and the caller takes the usual path, which says why."""

from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, connection

from aptic.ledger import services as ledger

from .accounts import order_outstanding_spec
from .caches import ORDERS, TTL, cached_orders
from .models import Redemption
from .redemption_write import KEY_CONSTRAINT, KeyTaken, Till, _constraint, deadlocked, own_statement, unsaved
from .rules import Setting


class NotFast(Exception):
    """Nothing was written: take the usual path."""


@dataclass(frozen=True)
class Known:
    """The orders known to pass the rules at one setting, each as (face value, maximum per act or
    0, outstanding account id), and the key to remember more under (taken before any rule is read,
    as core/generations.py asks)."""

    key: str
    orders: dict

    def learn(self, orders) -> None:
        """Remember these orders (Order instances whose vouchers were just accepted here)."""
        if new := [order for order in orders if order.pk not in self.orders]:
            ORDERS.set(self.key, {**self.orders, **entries(new)}, TTL)


def entries(orders) -> dict:
    """What the one-trip write needs of each order: face value, maximum per act, outstanding account."""
    orders = {order.pk: order for order in orders}
    accounts = ledger.account_ids_for([order_outstanding_spec(order) for order in orders.values()])
    return {
        pk: (order.face_value_cents, order.max_vouchers_per_act or 0, account)
        for (pk, order), account in zip(orders.items(), accounts, strict=True)
    }


def known_orders(setting: Setting) -> Known:
    typologies = ",".join(map(str, sorted(setting.typology_ids)))
    where = (setting.commune_id, setting.epci_id, setting.departement_id, setting.region_id, typologies)
    key, orders = ORDERS.get("passing", setting.day.isoformat(), setting.category_id, *where)
    return Known(key=key, orders=orders or {})


def _array(values) -> str:
    """PostgreSQL's text literal of an array of integers or of codes (which have no comma, quote
    or brace: voucher_codes.normalise keeps only its alphabet)."""
    return "{" + ",".join(map(str, values)) + "}"


def spend(*, till: Till, codes: list[str], known: Known, reason: str, description: str) -> Redemption:
    """The redemption of `codes` (normalised, distinct) if all belong to `known` orders and pass;
    otherwise NotFast (or KeyTaken), with nothing written."""
    provider, place, offer, user, idempotency_key, at = till
    [payable] = ledger.account_ids_for([ledger.provider_payable_spec(provider)])
    try:
        with own_statement(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM aptic_redemption_spend(%s, %s, %s, %s, %s, %s, %s, %s::varchar[], "
                "%s::bigint[], %s::integer[], %s::integer[], %s::bigint[], %s, %s, %s)",
                [
                    provider.pk,
                    place.pk,
                    offer.pk,
                    offer.price_cents,
                    user.pk,
                    at,
                    idempotency_key,
                    _array(codes),
                    _array(known.orders),
                    *(_array(entry[i] for entry in known.orders.values()) for i in range(3)),
                    payable,
                    reason,
                    description,
                ],
            )
            rows = cursor.fetchall()
    except IntegrityError as exc:
        if idempotency_key and KEY_CONSTRAINT in _constraint(exc):
            raise KeyTaken from exc
        raise NotFast from exc  # the second barrier: the usual path reads again and says which voucher
    except DatabaseError as exc:
        if "aptic_not_fast" in str(exc) or deadlocked(exc):
            raise NotFast from exc
        raise
    redemption = unsaved(till, covered=sum(amount for *_, amount in rows), count=len(rows))
    redemption.pk = rows[0][0]
    redemption._state.adding, redemption._state.db = False, connection.alias
    redemption.replayed = False
    orders = cached_orders(order_id for _, _, order_id, _, _ in rows)
    redemption.voucher_serials = [orders[order_id][0].serial(sequence) for _, _, order_id, sequence, _ in rows]
    return redemption
