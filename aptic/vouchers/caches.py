"""What every redemption reads but rarely changes, kept in the cache (Redis in production): an
order's rules and a place's whereabouts. Signals (signals.py) drop an entry when its source
changes, now and again at commit, so a reader in between cannot keep the old answer."""

from dataclasses import dataclass

from django.core.cache import cache

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
