"""What every redemption reads but rarely changes, kept in the cache (Redis in production): an
order with its rules, and a place's whereabouts (signals.py drops an entry when its source changes, now
and again at commit, so a reader in between cannot keep the old answer), and the offer sold at the
counter with its place and category (under a generation any such change moves)."""

from dataclasses import dataclass

from django.core.cache import cache

from aptic.catalogue.models import ServiceCategory
from aptic.core.generations import Generation
from aptic.places.models import Offer, Place

from .models import Order
from .rules import OrderRules, rules_for

TTL = 3600


@dataclass(frozen=True)
class PlaceProfile:
    commune_id: str
    commune_name: str
    epci_id: str | None
    departement_id: str
    region_id: str
    typology_ids: frozenset


def _order_key(order_id: int) -> str:
    return f"vouchers:order:{order_id}"


def _place_key(place_id: int) -> str:
    return f"vouchers:place:{place_id}"


def cached_orders(order_ids) -> dict[int, tuple[Order, OrderRules]]:
    """Each order (a fresh instance each call) with its rules, for the counter's read."""
    keys = {pk: _order_key(pk) for pk in set(order_ids)}
    found = cache.get_many(list(keys.values()))
    entries = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in entries]
    if missing:
        orders = list(Order.objects.filter(pk__in=missing))
        rules = rules_for(orders)
        fresh = {order.pk: (order, rules[order.pk]) for order in orders}
        cache.set_many({keys[pk]: entry for pk, entry in fresh.items()}, TTL)
        entries.update(fresh)
    return entries


def cached_rules_for(orders) -> dict[int, OrderRules]:
    return {pk: rules for pk, (_, rules) in cached_orders(order.pk for order in orders).items()}


def place_profile(place) -> PlaceProfile:
    key = _place_key(place.pk)
    profile = cache.get(key)
    if profile is None:
        commune = place.commune
        profile = PlaceProfile(
            commune_id=commune.insee_code,
            commune_name=commune.name,
            epci_id=commune.epci_id,
            departement_id=commune.departement_id,
            region_id=commune.region_id,
            typology_ids=frozenset(place.typologies.values_list("pk", flat=True)),
        )
        cache.set(key, profile, TTL)
    return profile


def order_forget(order_id: int) -> None:
    cache.delete(_order_key(order_id))


def place_profile_forget(place_id: int) -> None:
    cache.delete(_place_key(place_id))


COUNTER_OFFERS = Generation("vouchers:counter-offers")


def counter_offer(offer_id: int) -> Offer | None:
    """The offer with its place and category loaded, as the counter and the API read it."""
    key = COUNTER_OFFERS.key(offer_id)
    offer = cache.get(key)
    if offer is None:
        offer = Offer.objects.select_related("category", "place").filter(pk=offer_id).first()
        if offer is None:
            return None
        cache.set(key, offer, TTL)
    return offer


def counter_offers_follow() -> None:
    COUNTER_OFFERS.follow(Offer, Place, ServiceCategory)
