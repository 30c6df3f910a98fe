"""What the provider's dashboard counts in the apps above providers (ADR 0030).

Places sit above providers (a place is public only while its provider is labelled), so this module
cannot import them: each app registers its counts from its AppConfig.ready(), under the name the
dashboard template reads (`counts.places`, `counts.offers`).
"""

from collections.abc import Callable

from aptic.accounts.models import Organisation

_counters: dict[str, Callable[[Organisation], int]] = {}


def counter_register(name: str, count: Callable[[Organisation], int]) -> None:
    _counters[name] = count


def counts(organisation: Organisation) -> dict[str, int]:
    return {name: count(organisation) for name, count in _counters.items()}
