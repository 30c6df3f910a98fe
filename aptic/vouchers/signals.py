"""Which changes move which cached family of the counter (caches.py, core/generations.py)."""

from aptic.places.models import Offer, Place
from aptic.vocabulary.models import ServiceCategory

from .caches import COUNTER_OFFERS, ORDERS, PLACES
from .models import Order
from .rules import _RULES


def connect():
    ORDERS.follow(Order)
    ORDERS.follow_m2m(*(getattr(Order, relation).through for relation, _column in _RULES.values()))
    PLACES.follow(Place)
    PLACES.follow_m2m(Place.typologies.through)
    COUNTER_OFFERS.follow(Offer, Place, ServiceCategory)
