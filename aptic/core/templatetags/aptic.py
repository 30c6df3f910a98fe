"""Template filters for what users read, the French way: every one is a thin layer over
aptic.core.formats (ADR 0023), the one home of these rules."""

import datetime
import functools
from decimal import InvalidOperation

from django import template

from aptic.core import formats

register = template.Library()


def _blank(value) -> bool:
    return value is None or value == ""


def _not_a_date(value) -> bool:
    # As Django's |date: what is not a date shows as nothing rather than failing the page.
    return not isinstance(value, datetime.date)


def _numeric(show):
    # What is not a number shows as it is rather than failing the page.
    @functools.wraps(show)
    def wrapped(value, *args):
        try:
            return show(value, *args)
        except (TypeError, ValueError, InvalidOperation):
            return value

    return wrapped


@register.filter
@_numeric
def euros(cents):
    return "" if _blank(cents) else formats.euros(cents)


@register.filter
@_numeric
def nombre(value):
    """{{ 30000|nombre }} → 30 000."""
    return "" if _blank(value) else formats.number(value)


@register.filter
@_numeric
def pourcent(rate):
    """{{ rate|pourcent }} → 45,7 % (a rate from 0 to 1)."""
    return "" if _blank(rate) else formats.percent(rate)


@register.filter
def date_fr(day):
    """{{ order.valid_until|date_fr }} → 31/12/2026."""
    return "" if _not_a_date(day) else formats.date(day)


@register.filter
def date_heure(moment):
    """{{ redemption.created_at|date_heure }} → 31/12/2026 à 14h05."""
    return "" if _not_a_date(moment) else formats.date_time(moment)


@register.filter
def mois(day):
    """{{ month|mois }} → décembre 2026."""
    return "" if _not_a_date(day) else formats.month(day)


def _forms(words: str) -> tuple[str, str | None]:
    singular, _, plural = str(words).partition(",")
    return singular, (plural or None)


@register.filter
@_numeric
def compte(value, words):
    """{{ n|compte:"chèque" }} → '1 500 chèques', '0 chèque'; {{ n|compte:"lieu,lieux" }}."""
    return formats.count(value or 0, *_forms(words))


@register.filter
@_numeric
def accord(value, words):
    """The word alone, agreeing with value: {{ n|accord:"valable" }}, {{ n|accord:"suffit,suffisent" }}."""
    return formats.plural(value or 0, *_forms(words))


@register.filter
def liste(items, attribute=""):
    """{{ names|liste }} → 'A, B et C'; {{ regions|liste:"name" }} joins each item's attribute."""
    return formats.join(getattr(i, attribute) if attribute else i for i in items or [])


@register.filter
def validite(order, count=1):
    """{{ order|validite }} → "valable jusqu'au 31/12/2026, accepté jusqu'au 31/01/2027";
    {{ order|validite:order.quantity }} → "valables …, acceptés …"."""
    return formats.validity(order.valid_until, order.grace_until, count=count or 0)
