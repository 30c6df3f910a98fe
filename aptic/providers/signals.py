"""Any write that can change whether a structure is labelled moves the labelled cache's generation
(core/generations.py)."""

from .models import CharterAcceptance, CharterVersion, Provider, Sponsorship, Subscription
from .selectors import LABELLED


def connect():
    LABELLED.follow(Provider, CharterAcceptance, CharterVersion, Subscription, Sponsorship)
