"""What each kind of job does: apps register their handlers with @handler("kind")."""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


def handler(kind: str):
    """A handler takes (job, progress) and returns a JSON-able result; it must be safe to run again
    (a killed worker's job is run anew), so it picks up what is left rather than redoing it."""

    def register(function):
        HANDLERS[kind] = function
        return function

    return register


def discover() -> None:
    """Import every app's `jobs_handlers` module, where handlers and periodic work are declared."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("jobs_handlers")


def handler_for(kind: str) -> Callable:
    if kind not in HANDLERS:
        discover()
    try:
        return HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no job handler for {kind!r}") from None
