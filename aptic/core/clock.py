"""When a service says something happened: now, unless the caller gives the moment (a record of a
past day, the demo's calendar, ADR 0037). A record never happens in the future."""

import datetime

from django.utils import timezone

from .errors import DomainError

# Noon: a record of a past day whose hour nobody knows (an invoice's date, a shipment's day).
NOON = datetime.time(12)


def moment(at: datetime.datetime | None, *, field: str = "at") -> datetime.datetime:
    """`at`, or now when None; refused when it is to come."""
    now = timezone.now()
    if at is None:
        return now
    if at > now:
        raise DomainError("Cette date ne peut pas être dans le futur.", field=field)
    return at


def moment_of(day: datetime.date | None) -> datetime.datetime:
    """The moment a record of `day` is dated: now for today (or None), noon of a past day, never later
    than now. For services that take a day (an invoice's, a shipment's) and date their rows with it."""
    now = timezone.now()
    if day is None or day >= timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(day, NOON))


def day_of(at: datetime.datetime) -> datetime.date:
    """The platform's day at the moment `at` (timezone.localdate(at), for hot paths: the counter).

    The platform runs in one zone, settings.TIME_ZONE, and never activates another
    (core/tests/test_clock.py checks it): the default zone spares the lookup of the active one, a
    context-local read that cost more than any other line of a redemption's Python (ADR 0063)."""
    return timezone.localdate(at, timezone.get_default_timezone())
