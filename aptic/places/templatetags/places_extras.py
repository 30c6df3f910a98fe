"""Template filters for places: durations, distances, price ranges, phone numbers and hours, the French way."""

import phonenumbers
from django import template

from aptic.core import formats

from .. import hours

register = template.Library()


@register.filter
def minutes(value):
    """90 → '1 h 30', 60 → '1 h', 45 → '45 min'."""
    if value in (None, ""):
        return ""
    hours, rest = divmod(int(value), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest:02d}"


@register.filter
def km(value):
    """2.345 → '2,3 km'; 12.6 → '13 km'; 0.02 → 'moins de 100 m'."""
    if value is None:
        return ""
    if value < 0.1:
        return "moins de 100\u00a0m"
    text = f"{value:.1f}".replace(".", ",") if value < 10 else f"{value:.0f}"
    return f"{text}\u00a0km"


@register.filter
def price_range(value):
    """(min, max) in cents → 'Gratuit', '10 €', 'Gratuit à 15 €', '5 € à 20 €'; '' without offers."""
    if not value:
        return ""
    low, high = value
    if high == 0:
        return "Gratuit"
    if low == high:
        return formats.euros(low)
    return f"{'Gratuit' if low == 0 else formats.euros(low)} à {formats.euros(high)}"


@register.filter
def phone_display(value):
    """'+33477123456' → '04 77 12 34 56', as people dial it in France."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


@register.filter
def opening_hours_fr(place):
    """A place's hours in French: .lines ('Du lundi au vendredi : 9 h – 12 h', 'Fermé le dimanche') and
    .is_usual_week; never the raw OSM string. One helper for every page: aptic.places.hours.hours_text()."""
    return hours.hours_text(place.opening_hours, departement=place.commune.departement_id)
