"""Any write that can change whether a structure is labelled moves the labelled cache's version,
now and again at commit (a reader in between could otherwise cache the old answer)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import CharterAcceptance, CharterVersion, Provider, Sponsorship, Subscription
from .selectors import labelled_cache_invalidate


def _invalidate(**kwargs):
    labelled_cache_invalidate()
    transaction.on_commit(labelled_cache_invalidate)


def connect():
    for model in (Provider, CharterAcceptance, CharterVersion, Subscription, Sponsorship):
        post_save.connect(_invalidate, sender=model, dispatch_uid=f"labelled-save-{model.__name__}")
        post_delete.connect(_invalidate, sender=model, dispatch_uid=f"labelled-delete-{model.__name__}")
