"""Writes about places and their offers. Every input is checked here, for forms and imports alike."""

import re
from collections.abc import Iterable

import opening_hours
import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.core.errors import DomainError

from .models import Offer, OfferFormat, Place

# The national standard's pattern for phone numbers (metropolitan France and overseas).
STANDARD_PHONE = re.compile(r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$")
MAX_PRICE_CENTS = 100_000_00  # 100,000 € : beyond, a typing mistake
M2M_FIELDS = ("typologies", "service_categories", "publics", "access_modes", "support_modes")


def clean_opening_hours(raw: str) -> str:
    value = " ".join((raw or "").split())
    if not value:
        return ""
    if len(value) > 500:
        raise DomainError("Les horaires sont trop longs (500 caractères au plus).", field="opening_hours")
    try:
        opening_hours.OpeningHours(value)
    except (opening_hours.ParserError, ValueError):
        raise DomainError(
            f"Les horaires « {value[:60]} » ne suivent pas la syntaxe OpenStreetMap. "
            "Exemple : Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00",
            field="opening_hours",
        ) from None
    return value


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


def clean_email(raw: str, field: str = "email") -> str:
    value = (raw or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise DomainError(f"L'adresse e-mail « {value[:60]} » n'est pas valide.", field=field) from None
    return value


def clean_url(raw: str, field: str) -> str:
    value = (raw or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise DomainError(f"L'adresse web « {value[:60]} » n'est pas valide (https://…).", field=field) from None
    return value


def clean_coordinates(latitude, longitude, commune) -> tuple[float, float]:
    """Given coordinates must be possible; missing ones take the commune's position."""
    if latitude in (None, "") and longitude in (None, ""):
        return commune.latitude, commune.longitude
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise DomainError("Indiquez la latitude et la longitude en degrés décimaux.", field="latitude") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError(f"Les coordonnées {lat}, {lng} sont impossibles.", field="latitude")
    return lat, lng


def _set_m2m(place: Place, relations: dict[str, Iterable]) -> None:
    for name in M2M_FIELDS:
        if relations.get(name) is not None:
            getattr(place, name).set(relations[name])


@transaction.atomic
def place_create(
    *,
    provider: Organisation,
    name: str,
    address: str,
    commune,
    latitude=None,
    longitude=None,
    address_complement: str = "",
    postal_code: str = "",
    is_mobile: bool = False,
    opening_hours: str = "",
    summary: str = "",
    description: str = "",
    accessibility: str = "",
    acceslibre_url: str = "",
    phone: str = "",
    email: str = "",
    website: str = "",
    booking_url: str = "",
    is_published: bool = True,
    source: str = "",
    external_id: str = "",
    **relations: Iterable,
) -> Place:
    """relations: typologies, service_categories, publics, access_modes, support_modes (iterables)."""
    unknown = set(relations) - set(M2M_FIELDS)
    if unknown:
        raise TypeError(f"place_create() got unexpected arguments: {sorted(unknown)}")
    if provider.kind != OrganisationKind.PROVIDER:
        raise DomainError("Seule une structure de médiation numérique peut avoir des lieux.")
    name = (name or "").strip()
    if not name:
        raise DomainError("Indiquez le nom du lieu.", field="name")
    if commune is None:
        raise DomainError("Indiquez la commune du lieu.", field="commune")
    if provider.places.filter(name=name).exists():
        raise DomainError("Votre structure a déjà un lieu de ce nom.", field="name")
    summary = (summary or "").strip()
    if len(summary) > 280:
        raise DomainError("La présentation courte dépasse 280 caractères.", field="summary")
    postal_code = (postal_code or "").strip() or commune.main_postal_code
    if postal_code not in commune.postal_codes.split():
        raise DomainError(
            f"Le code postal {postal_code[:10]} n'est pas celui de {commune.name} ({commune.postal_codes}).",
            field="postal_code",
        )
    latitude, longitude = clean_coordinates(latitude, longitude, commune)
    place = Place.objects.create(
        provider=provider,
        name=name[:200],
        address=(address or "").strip()[:250],
        address_complement=(address_complement or "").strip()[:250],
        commune=commune,
        postal_code=postal_code,
        latitude=latitude,
        longitude=longitude,
        is_mobile=is_mobile,
        opening_hours=clean_opening_hours(opening_hours),
        summary=summary,
        description=(description or "").strip(),
        accessibility=(accessibility or "").strip(),
        acceslibre_url=clean_url(acceslibre_url, "acceslibre_url"),
        phone=clean_phone(phone, commune.departement_id),
        email=clean_email(email),
        website=clean_url(website, "website"),
        booking_url=clean_url(booking_url, "booking_url"),
        is_published=is_published,
        source=(source or "")[:100],
        external_id=(external_id or "")[:100],
    )
    _set_m2m(place, relations)
    return place


@transaction.atomic
def offer_create(
    *,
    place: Place,
    category,
    title: str,
    price_cents: int,
    duration_minutes: int,
    format: str,
    description: str = "",
    publics: Iterable = (),
    accepts_aptic: bool = True,
    is_active: bool = True,
) -> Offer:
    title = (title or "").strip()
    if not title:
        raise DomainError("Indiquez l'intitulé du service.", field="title")
    if category is None:
        raise DomainError("Choisissez la catégorie du service.", field="category")
    if not isinstance(price_cents, int) or price_cents < 0:
        raise DomainError("Le prix ne peut pas être négatif.", field="price_cents")
    if price_cents > MAX_PRICE_CENTS:
        raise DomainError("Ce prix est trop élevé : vérifiez la saisie.", field="price_cents")
    if not isinstance(duration_minutes, int) or not 0 < duration_minutes <= 24 * 60:
        raise DomainError("La durée doit être comprise entre 1 minute et 24 heures.", field="duration_minutes")
    if format not in OfferFormat.values:
        raise DomainError("Choisissez le format du service.", field="format")
    if place.offers.filter(title=title).exists():
        raise DomainError("Ce lieu propose déjà un service de ce nom.", field="title")
    offer = Offer.objects.create(
        place=place,
        category=category,
        title=title[:200],
        description=(description or "").strip(),
        price_cents=price_cents,
        duration_minutes=duration_minutes,
        format=format,
        accepts_aptic=accepts_aptic,
        is_active=is_active,
    )
    if publics:
        offer.publics.set(publics)
    return offer
