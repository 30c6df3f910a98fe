"""What every redemption reads but rarely changes: an order with its rules, a place's whereabouts,
the offer sold at the counter with its place and category. Each family lives under a generation
that any change to its sources moves (core/generations.py; signals.py connects them), in the
shared cache and in the process's memory. The instances returned are shared: read them only."""

from aptic.core.generations import Generation
from aptic.places.models import Offer

from .models import Order
from .rules import OrderRules, PlaceProfile, rules_for

TTL = 3600


ORDERS = Generation("vouchers:orders")
PLACES = Generation("vouchers:places")
COUNTER_OFFERS = Generation("vouchers:counter-offers")


def cached_orders(order_ids) -> dict[int, tuple[Order, OrderRules]]:
    """Each order with its rules, for the counter's read."""
    entries, missing = {}, {}
    for pk in set(order_ids):
        key, entry = ORDERS.get(pk)
        if entry is None:
            missing[pk] = key
        else:
            entries[pk] = entry
    if missing:
        orders = list(Order.objects.filter(pk__in=missing))
        rules = rules_for(orders)
        for order in orders:
            entries[order.pk] = (order, rules[order.pk])
            ORDERS.set(missing[order.pk], entries[order.pk], TTL)
    return entries


def cached_rules_for(orders) -> dict[int, OrderRules]:
    return {pk: rules for pk, (_, rules) in cached_orders(order.pk for order in orders).items()}


def place_profile(place) -> PlaceProfile:
    key, profile = PLACES.get(place.pk)
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
        PLACES.set(key, profile, TTL)
    return profile


def counter_offer(offer_id: int) -> Offer | None:
    """The offer with its place and category loaded, as the counter and the API read it."""
    key, offer = COUNTER_OFFERS.get(offer_id)
    if offer is None:
        offer = Offer.objects.select_related("category", "place").filter(pk=offer_id).first()
        if offer is None:
            return None
        COUNTER_OFFERS.set(key, offer, TTL)
    return offer
