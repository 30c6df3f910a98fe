"""Drop the cached order (with its rules), or profile of a place, when they change (see caches.py)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_save

from aptic.places.models import Place

from .caches import counter_offers_follow, order_forget, place_profile_forget
from .models import Order
from .rules import _RULES


def _forget(forget, pk):
    forget(pk)
    transaction.on_commit(lambda: forget(pk))


def _order_saved(sender, instance, **kwargs):
    _forget(order_forget, instance.pk)


def _order_rules_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    orders = (pk_set or []) if reverse else [instance.pk]
    if reverse and action == "post_clear":  # a rule value cleared of all orders: rare, forget them all
        orders = Order.objects.values_list("pk", flat=True)
    for pk in orders:
        _forget(order_forget, pk)


def _place_saved(sender, instance, **kwargs):
    _forget(place_profile_forget, instance.pk)


def _place_typologies_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    places = (pk_set or []) if reverse else [instance.pk]
    if reverse and action == "post_clear":
        places = Place.objects.values_list("pk", flat=True)
    for pk in places:
        _forget(place_profile_forget, pk)


def connect():
    counter_offers_follow()
    post_save.connect(_order_saved, sender=Order, dispatch_uid="vouchers-order-rules")
    for relation, _column in _RULES.values():
        through = getattr(Order, relation).through
        m2m_changed.connect(_order_rules_changed, sender=through, dispatch_uid=f"vouchers-rules-{relation}")
    post_save.connect(_place_saved, sender=Place, dispatch_uid="vouchers-place-profile")
    m2m_changed.connect(
        _place_typologies_changed, sender=Place.typologies.through, dispatch_uid="vouchers-place-typologies"
    )
