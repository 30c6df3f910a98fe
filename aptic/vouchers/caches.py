"""What every redemption reads but rarely changes, kept in the cache (Redis in production): an
order's rules and a place's whereabouts (signals.py drops an entry when its source changes, now
and again at commit, so a reader in between cannot keep the old answer), and the offer sold at the
counter with its place and category (under a generation any such change moves)."""

from dataclasses import dataclass

from django.core.cache import cache

from aptic.catalogue.models import ServiceCategory
from aptic.core.generations import Generation
from aptic.places.models import Offer, Place

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


def _rules_key(order_id: int) -> str:
    return f"vouchers:rules:{order_id}"


def _place_key(place_id: int) -> str:
    return f"vouchers:place:{place_id}"


def cached_rules_for(orders) -> dict[int, OrderRules]:
    orders = {o.pk: o for o in orders}
    found = cache.get_many([_rules_key(pk) for pk in orders])
    rules = {pk: found[_rules_key(pk)] for pk in orders if _rules_key(pk) in found}
    missing = [o for pk, o in orders.items() if pk not in rules]
    if missing:
        fresh = rules_for(missing)
        cache.set_many({_rules_key(pk): r for pk, r in fresh.items()}, TTL)
        rules.update(fresh)
    return rules


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


def order_rules_forget(order_id: int) -> None:
    cache.delete(_rules_key(order_id))


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
