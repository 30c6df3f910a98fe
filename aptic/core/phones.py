"""Phone numbers as the national standard of places data writes them (+33…), for every form and import."""

import re

import phonenumbers

from aptic.core.errors import DomainError

# The national standard's pattern for phone numbers (metropolitan France and overseas).
STANDARD_PHONE = re.compile(r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$")

# Overseas départements dial with their own country codes (0590… is +590… in Guadeloupe).
PHONE_REGIONS = {"971": "GP", "972": "MQ", "973": "GF", "974": "RE", "976": "YT"}


def clean_phone(raw: str, departement: str = "") -> str:
    """'01 23 45 67 89' gives '+33123456789', as the national standard writes it."""
    value = (raw or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, PHONE_REGIONS.get(departement, "FR"))
    except phonenumbers.NumberParseException:
        number = None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else ""
    if not number or not phonenumbers.is_valid_number(number) or not STANDARD_PHONE.match(formatted):
        raise DomainError(f"Le numéro de téléphone « {value[:30]} » n'est pas valide.", field="phone")
    return formatted
