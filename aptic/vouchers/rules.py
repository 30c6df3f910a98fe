"""The rules of spending vouchers, each written once: an order's usage rules, the voucher's state,
the funder's maximum per act, no change given, the 24-hour cancellation window. A refusal names the
rule in plain French. The service (redemption.py) applies them; the counter's preview, the
PostgreSQL writer's caller and the payouts' cutoff read them from here."""

import datetime
import functools
from dataclasses import dataclass, field

from django.db import connection

from aptic.core import formats

from .models import Order, VoucherStatus

# A redemption younger than this can still be taken back by its provider; a payout run leaves it
# for the next run meanwhile.
CANCEL_WINDOW = datetime.timedelta(hours=24)

STATE_REFUSALS = {
    VoucherStatus.ISSUED: "Ce chèque n'est pas encore activé : il doit d'abord être remis au bénéficiaire.",
    VoucherStatus.REDEEMED: "Ce chèque a déjà été utilisé.",
    VoucherStatus.REIMBURSED: "Ce chèque a déjà été utilisé.",
    VoucherStatus.EXPIRED: "Ce chèque a expiré.",
    VoucherStatus.STOPPED: "Ce chèque a été mis en opposition (perte ou vol).",
}


@dataclass(frozen=True)
class OrderRules:
    order_id: int
    valid_from: datetime.date
    grace_until: datetime.date
    max_per_act: int | None
    communes: frozenset = field(default_factory=frozenset)
    epcis: frozenset = field(default_factory=frozenset)
    departements: frozenset = field(default_factory=frozenset)
    regions: frozenset = field(default_factory=frozenset)
    typologies: frozenset = field(default_factory=frozenset)
    categories: frozenset = field(default_factory=frozenset)

    @property
    def has_territory(self) -> bool:
        return bool(self.communes or self.epcis or self.departements or self.regions)


_RULES = {
    "communes": ("rule_communes", "commune_id"),
    "epcis": ("rule_epcis", "epci_id"),
    "departements": ("rule_departements", "departement_id"),
    "regions": ("rule_regions", "region_id"),
    "typologies": ("rule_typologies", "placetypology_id"),
    "categories": ("rule_categories", "servicecategory_id"),
}


@functools.cache
def _rules_sql() -> str:
    """The six kinds of rule of a set of orders in one UNION ALL query, written once: this runs at
    every redemption, and compiling the same ORM union each time cost more than running it."""
    quote = connection.ops.quote_name
    parts = []
    for name, (relation, column) in _RULES.items():
        table = quote(getattr(Order, relation).through._meta.db_table)
        # Table and column names from the models, never from input; the ids are bound parameters.
        parts.append(
            f"SELECT order_id, '{name}', CAST({quote(column)} AS VARCHAR(20)) "  # noqa: S608
            f"FROM {table} WHERE order_id IN ({{ids}})"
        )
    return " UNION ALL ".join(parts)


def rules_for(orders) -> dict[int, OrderRules]:
    """The rules of several orders (Order instances)."""
    orders = {o.pk: o for o in orders}
    sets: dict[str, dict[int, set]] = {name: {pk: set() for pk in orders} for name in _RULES}
    if orders:
        ids = sorted(orders)
        placeholders = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(_rules_sql().replace("{ids}", placeholders), ids * len(_RULES))
            for order_id, kind, value in cursor.fetchall():
                # Typologies and categories have integer keys, territories text ones.
                sets[kind][order_id].add(int(value) if kind in ("typologies", "categories") else value)
    return {
        pk: OrderRules(
            order_id=pk,
            valid_from=o.valid_from,
            grace_until=o.grace_until,
            max_per_act=o.max_vouchers_per_act,
            **{name: frozenset(sets[name][pk]) for name in _RULES},
        )
        for pk, o in orders.items()
    }


@dataclass(frozen=True)
class PlaceProfile:
    """What the rules look at in a place: its commune with its EPCI, département and région, and its
    typologies (cached per place, caches.place_profile)."""

    commune_id: str
    commune_name: str
    epci_id: str | None
    departement_id: str
    region_id: str
    typology_ids: frozenset


@dataclass(frozen=True)
class Setting(PlaceProfile):
    """Where (the place's profile) and for what the vouchers would be spent."""

    day: datetime.date
    category_id: int | None
    category_label: str


def refusal(rules: OrderRules, setting: Setting) -> str | None:
    """None when the voucher may pay here; otherwise why not, for the person at the counter."""
    if setting.day < rules.valid_from:
        return f"Ce chèque n'est utilisable qu'à partir du {rules.valid_from:%d/%m/%Y}."
    if setting.day > rules.grace_until:
        return expired_refusal(rules)
    if rules.has_territory and not (
        setting.commune_id in rules.communes
        or (setting.epci_id and setting.epci_id in rules.epcis)
        or setting.departement_id in rules.departements
        or setting.region_id in rules.regions
    ):
        return f"Ce chèque n'est pas utilisable dans la commune de {setting.commune_name}."
    if rules.typologies and not (rules.typologies & setting.typology_ids):
        return "Ce chèque n'est pas utilisable dans ce type de lieu."
    if rules.categories and setting.category_id not in rules.categories:
        return f"Ce chèque ne peut pas payer un service « {setting.category_label} »."
    return None


def state_refusal(status: str) -> str | None:
    """None when a voucher in this state may be spent (active); otherwise why not."""
    return STATE_REFUSALS.get(status)


def expired_refusal(rules: OrderRules) -> str:
    return f"Ce chèque a expiré le {rules.grace_until:%d/%m/%Y}."


def per_act_refusal(rules: OrderRules, count: int) -> str | None:
    """None unless `count` vouchers of this order in one act exceed the funder's maximum per act."""
    if rules.max_per_act and count > rules.max_per_act:
        return f"Au plus {formats.count(rules.max_per_act, 'chèque')} de ce commanditaire par service rendu."
    return None


def vouchers_needed(face_values: list[int], price: int) -> int:
    """No change is given: the fewest of these vouchers, largest first, that cover the price (all of
    them when they do not cover it)."""
    needed, covered = 0, 0
    for value in sorted(face_values, reverse=True):
        if covered >= price:
            break
        covered, needed = covered + value, needed + 1
    return needed


def no_change_refusal(face_values: list[int], price: int) -> str | None:
    """None unless more vouchers were handed over than the price needs (the change is not given)."""
    needed = vouchers_needed(face_values, price)
    if needed < len(face_values):
        return (
            f"Trop de chèques : {needed} suffisent pour ce service à {formats.euros(price)} "
            "(la monnaie n'est pas rendue). Rendez les autres au bénéficiaire."
        )
    return None
