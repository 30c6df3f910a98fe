"""Writes about places and their offers. Every input is checked here, for forms and imports alike."""

from collections.abc import Iterable

import opening_hours
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.core import clock, formats
from aptic.core.errors import DomainError
from aptic.core.phones import clean_phone

from .geo import haversine_km
from .models import OPEN_DATA_FIELDS, Offer, OfferFormat, OfferSettings, Place

MAX_PRICE_CENTS = 100_000_00  # 100,000 € : beyond, a typing mistake
M2M_FIELDS = ("typologies", "service_categories", "publics", "access_modes", "support_modes")
# The fields of a place a service may set (besides the provider and the M2M relations above).
PLACE_FIELDS = (*OPEN_DATA_FIELDS, "commune", "accessibility", "is_published", "source", "external_id")
OFFER_FIELDS = (
    "category",
    "title",
    "price_cents",
    "duration_minutes",
    "format",
    "description",
    "accepts_aptic",
    "is_active",
)
MAX_DURATION_MINUTES = 24 * 60
# A place sits in its commune: further than this from the commune's centre, the coordinates are a
# mistake (latitude and longitude swapped, a digit lost). The largest metropolitan communes reach
# about 25 km from their centre; French Guiana's reach 150 km.
MAX_KM_FROM_COMMUNE = 100
MAX_KM_FROM_COMMUNE_BY_DEPARTEMENT = {"973": 300}


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


def clean_email(raw: str, field: str = "email") -> str:
    value = (raw or "").strip()
    if len(value) > 254:
        raise DomainError("L'adresse e-mail est trop longue (254 caractères au plus).", field=field)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise DomainError(f"L'adresse e-mail « {value[:60]} » n'est pas valide.", field=field) from None
    return value


def clean_url(raw: str, field: str) -> str:
    value = (raw or "").strip()
    if len(value) > 200:
        raise DomainError("Cette adresse web est trop longue (200 caractères au plus).", field=field)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise DomainError(f"L'adresse web « {value[:60]} » n'est pas valide (https://…).", field=field) from None
    return value


def _format_degrees(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def _format_km(value: float) -> str:
    return formats.number(round(value))


def clean_coordinates(latitude, longitude, commune) -> tuple[float, float]:
    """Given coordinates must be possible and near the commune; missing ones take the commune's centre."""
    if latitude in (None, "") and longitude in (None, ""):
        return commune.latitude, commune.longitude
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise DomainError(
            "Indiquez la latitude et la longitude en degrés décimaux (par exemple 45,4397 et 4,3872), "
            "ou laissez les deux vides pour placer le lieu au centre de la commune.",
            field="latitude",
        ) from None
    if not -90 <= lat <= 90:
        raise DomainError(
            f"La latitude {_format_degrees(lat)} est impossible : elle est comprise entre -90 et 90.", field="latitude"
        )
    if not -180 <= lng <= 180:
        raise DomainError(
            f"La longitude {_format_degrees(lng)} est impossible : elle est comprise entre -180 et 180.",
            field="longitude",
        )
    limit = MAX_KM_FROM_COMMUNE_BY_DEPARTEMENT.get(commune.departement_id, MAX_KM_FROM_COMMUNE)
    distance = haversine_km(lat, lng, commune.latitude, commune.longitude)
    if distance > limit:
        raise DomainError(
            f"Ces coordonnées ({_format_degrees(lat)} ; {_format_degrees(lng)}) sont à "
            f"{_format_km(distance)} km de {commune.name} : vérifiez-les (latitude et "
            "longitude inversées ?), ou laissez-les vides pour placer le lieu au centre de la commune.",
            field="latitude",
        )
    return lat, lng


def _set_m2m(place: Place, relations: dict[str, Iterable]) -> None:
    for name in M2M_FIELDS:
        if relations.get(name) is not None:
            getattr(place, name).set(relations[name])


def _clean_place(*, provider: Organisation, data: dict, place: Place | None = None) -> dict:
    """Every rule a place obeys, for creation and update alike; returns the values to store."""
    if provider.kind != OrganisationKind.PROVIDER:
        raise DomainError("Seule une structure de médiation numérique peut avoir des lieux.")
    name = (data.get("name") or "").strip()
    if not name:
        raise DomainError("Indiquez le nom du lieu.", field="name")
    commune = data.get("commune")
    if commune is None:
        raise DomainError("Indiquez la commune du lieu.", field="commune")
    same_name = provider.places.filter(name=name[:200])
    if place is not None:
        same_name = same_name.exclude(pk=place.pk)
    if same_name.exists():
        raise DomainError(f"Votre structure a déjà un lieu nommé « {name[:60]} ».", field="name")
    is_mobile = bool(data.get("is_mobile"))
    address = (data.get("address") or "").strip()
    if not address and not is_mobile:
        raise DomainError("Indiquez l'adresse du lieu (numéro et voie).", field="address")
    summary = (data.get("summary") or "").strip()
    if len(summary) > 280:
        raise DomainError(
            f"La présentation courte dépasse 280 caractères ({len(summary)}) : raccourcissez-la.", field="summary"
        )
    postal_code = (data.get("postal_code") or "").strip() or commune.main_postal_code
    if postal_code not in commune.postal_codes.split():
        raise DomainError(
            f"Le code postal {postal_code[:10]} n'est pas celui de {commune.name} ({commune.postal_codes}).",
            field="postal_code",
        )
    latitude, longitude = clean_coordinates(data.get("latitude"), data.get("longitude"), commune)
    external_id = (data.get("external_id") or "")[:100]
    if external_id:
        same_id = provider.places.filter(external_id=external_id)
        if place is not None:
            same_id = same_id.exclude(pk=place.pk)
        if same_id.exists():
            raise DomainError(
                f"Un lieu de votre structure porte déjà l'identifiant d'origine « {external_id[:60]} ».",
                field="external_id",
            )
    return {
        "name": name[:200],
        "address": address[:250],
        "address_complement": (data.get("address_complement") or "").strip()[:250],
        "commune": commune,
        "postal_code": postal_code,
        "latitude": latitude,
        "longitude": longitude,
        "is_mobile": is_mobile,
        "opening_hours": clean_opening_hours(data.get("opening_hours")),
        "summary": summary,
        "description": (data.get("description") or "").strip(),
        "accessibility": (data.get("accessibility") or "").strip(),
        "acceslibre_url": clean_url(data.get("acceslibre_url"), "acceslibre_url"),
        "phone": clean_phone(data.get("phone"), commune.departement_id),
        "email": clean_email(data.get("email")),
        "website": clean_url(data.get("website"), "website"),
        "booking_url": clean_url(data.get("booking_url"), "booking_url"),
        "is_published": bool(data.get("is_published")),
        "source": (data.get("source") or "")[:100],
        "external_id": external_id,
    }


def _save_place(place: Place) -> None:
    """Saves, turning a lost race on a unique name into the same French error as the check."""
    try:
        with transaction.atomic():
            place.save()
    except IntegrityError:
        raise DomainError(f"Votre structure a déjà un lieu nommé « {place.name[:60]} ».", field="name") from None


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
    at=None,
    **relations: Iterable,
) -> Place:
    """relations: typologies, service_categories, publics, access_modes, support_modes (iterables).
    `at`: when it was recorded (now by default, never to come)."""
    unknown = set(relations) - set(M2M_FIELDS)
    if unknown:
        raise TypeError(f"place_create() got unexpected arguments: {sorted(unknown)}")
    data = {
        "name": name,
        "address": address,
        "address_complement": address_complement,
        "commune": commune,
        "postal_code": postal_code,
        "latitude": latitude,
        "longitude": longitude,
        "is_mobile": is_mobile,
        "opening_hours": opening_hours,
        "summary": summary,
        "description": description,
        "accessibility": accessibility,
        "acceslibre_url": acceslibre_url,
        "phone": phone,
        "email": email,
        "website": website,
        "booking_url": booking_url,
        "is_published": is_published,
        "source": source,
        "external_id": external_id,
    }
    place = Place(provider=provider, created_at=clock.moment(at), **_clean_place(provider=provider, data=data))
    _save_place(place)
    _set_m2m(place, relations)
    _dated(place, at)
    return place


def _dated(record, at) -> None:
    """A place or offer recorded as of a given moment was last changed then (`updated_at` is auto_now)."""
    if at is not None:
        type(record).objects.filter(pk=record.pk).update(updated_at=record.created_at)
        record.updated_at = record.created_at


@transaction.atomic
def place_update(*, place: Place, **changes) -> Place:
    """Changes some fields of a place (those of place_create, provider aside), with the same rules.

    Fields not given keep their value, except that moving the place to another commune without
    giving a postal code or coordinates takes the new commune's main postal code and centre.
    M2M relations given (typologies, service_categories, publics, access_modes, support_modes)
    replace the current ones.
    """
    unknown = set(changes) - set(PLACE_FIELDS) - set(M2M_FIELDS)
    if unknown:
        raise TypeError(f"place_update() got unexpected arguments: {sorted(unknown)}")
    data = {field: getattr(place, field) for field in PLACE_FIELDS}
    if "commune" in changes and changes["commune"] is not None and changes["commune"].pk != place.commune_id:
        if "postal_code" not in changes:
            data["postal_code"] = ""
        if "latitude" not in changes and "longitude" not in changes:
            data["latitude"] = data["longitude"] = None
    data.update({key: value for key, value in changes.items() if key in PLACE_FIELDS})
    for field, value in _clean_place(provider=place.provider, data=data, place=place).items():
        setattr(place, field, value)
    _save_place(place)
    _set_m2m(place, {key: value for key, value in changes.items() if key in M2M_FIELDS})
    return place


@transaction.atomic
def place_set_published(*, place: Place, is_published: bool) -> Place:
    """Shows the place in the public catalogue, or hides it (its offers and history stay)."""
    place.is_published = bool(is_published)
    place.save(update_fields=["is_published", "updated_at"])
    return place


def _clean_offer(*, place: Place, data: dict, offer: Offer | None = None) -> dict:
    """Every rule an offer obeys, for creation and update alike; returns the values to store."""
    title = (data.get("title") or "").strip()
    if not title:
        raise DomainError("Indiquez l'intitulé du service.", field="title")
    if data.get("category") is None:
        raise DomainError("Choisissez la catégorie du service.", field="category")
    price_cents = data.get("price_cents")
    if not isinstance(price_cents, int) or isinstance(price_cents, bool):
        raise DomainError("Indiquez le prix du service en euros (0 s'il est gratuit).", field="price_cents")
    if price_cents < 0:
        raise DomainError("Le prix ne peut pas être négatif.", field="price_cents")
    if price_cents > MAX_PRICE_CENTS:
        raise DomainError(
            "Ce prix est trop élevé (100 000 € au plus) : vérifiez la saisie.",
            field="price_cents",
        )
    if data.get("accepts_aptic") and price_cents > 0:
        minimum = OfferSettings.current().min_voucher_price_cents
        if price_cents < minimum:
            raise DomainError(
                f"Un service payable en chèques #APTIC coûte au moins {formats.euros(minimum)} : augmentez le prix, "
                "indiquez 0 s'il est gratuit, ou décochez « Payable en chèques #APTIC ».",
                field="price_cents",
            )
    duration = data.get("duration_minutes")
    if not isinstance(duration, int) or isinstance(duration, bool) or not 0 < duration <= MAX_DURATION_MINUTES:
        raise DomainError(
            "La durée doit être comprise entre 1 minute et 24 heures (1 440 minutes).", field="duration_minutes"
        )
    if data.get("format") not in OfferFormat.values:
        raise DomainError("Choisissez le format du service.", field="format")
    same_title = place.offers.filter(title=title[:200])
    if offer is not None:
        same_title = same_title.exclude(pk=offer.pk)
    if same_title.exists():
        raise DomainError(f"Ce lieu propose déjà un service nommé « {title[:60]} ».", field="title")
    return {
        "category": data["category"],
        "title": title[:200],
        "description": (data.get("description") or "").strip(),
        "price_cents": price_cents,
        "duration_minutes": duration,
        "format": data["format"],
        "accepts_aptic": bool(data.get("accepts_aptic")),
        "is_active": bool(data.get("is_active")),
    }


def _save_offer(offer: Offer) -> None:
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        raise DomainError(f"Ce lieu propose déjà un service nommé « {offer.title[:60]} ».", field="title") from None


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
    at=None,
) -> Offer:
    """`at`: when it was recorded (now by default, never to come)."""
    data = {
        "category": category,
        "title": title,
        "price_cents": price_cents,
        "duration_minutes": duration_minutes,
        "format": format,
        "description": description,
        "accepts_aptic": accepts_aptic,
        "is_active": is_active,
    }
    offer = Offer(place=place, created_at=clock.moment(at), **_clean_offer(place=place, data=data))
    _save_offer(offer)
    if publics:
        offer.publics.set(publics)
    _dated(offer, at)
    return offer


@transaction.atomic
def offer_update(*, offer: Offer, publics: Iterable | None = None, **changes) -> Offer:
    """Changes some fields of an offer (those of offer_create, place aside), with the same rules.

    Fields not given keep their value; `publics`, when given, replaces the current ones.
    """
    unknown = set(changes) - set(OFFER_FIELDS)
    if unknown:
        raise TypeError(f"offer_update() got unexpected arguments: {sorted(unknown)}")
    data = {field: getattr(offer, field) for field in OFFER_FIELDS}
    data.update(changes)
    for field, value in _clean_offer(place=offer.place, data=data, offer=offer).items():
        setattr(offer, field, value)
    _save_offer(offer)
    if publics is not None:
        offer.publics.set(publics)
    return offer


@transaction.atomic
def offer_set_active(*, offer: Offer, is_active: bool) -> Offer:
    """Withdraws an offer from the place's page (is_active=False), or offers it again.

    Offers are deactivated rather than deleted: vouchers already redeemed for them keep pointing at them.
    """
    offer.is_active = bool(is_active)
    offer.save(update_fields=["is_active", "updated_at"])
    return offer
