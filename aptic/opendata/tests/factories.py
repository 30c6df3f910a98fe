"""Builders for the tests of open data: valid SIRETs, labelled providers, places with offers.

Providers are made labelled directly with the models (qualified, current charter accepted,
subscription in its free month), so that these tests do not depend on other apps' screens.
"""

from itertools import count

from stdnum import luhn

from aptic.core.tests.world import label  # noqa: F401 (shared)
from aptic.places import services as places
from aptic.places.models import OfferFormat
from aptic.providers import services as providers
from aptic.territories.models import Commune
from aptic.vocabulary.models import AccessMode, PlaceTypology, Public, ServiceCategory, SupportMode

_sirens = count(12_000_000)


def siret(number: int | None = None) -> str:
    """A SIRET whose SIREN and SIRET keys are both right."""
    base = f"{next(_sirens) if number is None else number:08d}"
    siren = base + luhn.calc_check_digit(base)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def provider(name: str = "Association Les Connectés", insee_code: str = "42218", labelled: bool = True):
    organisation = providers.provider_create(
        name=name, siret=siret(), commune=Commune.objects.get(insee_code=insee_code)
    ).organisation
    if labelled:
        label(organisation)
    return organisation


def place(organisation, name: str = "Médiathèque Tarentaize", insee_code: str = "42218", **fields):
    commune = Commune.objects.get(insee_code=insee_code)
    values = {
        "address": "20-24 rue Jo Gouttebarge",
        "opening_hours": "Tu-Sa 10:00-18:00",
        "summary": "Ateliers numériques pour tous.",
        "phone": "04 77 43 09 77",
        "email": "mediatheque@exemple.fr",
        "website": "https://mediatheque.exemple.fr/",
        "typologies": PlaceTypology.objects.filter(standard_value__in=["BIB", "EPN"]),
        "service_categories": ServiceCategory.objects.filter(standard_value="Aide aux démarches administratives"),
        "publics": Public.objects.filter(standard_value="Seniors"),
        "access_modes": AccessMode.objects.filter(standard_value__in=["Se présenter", "Téléphoner"]),
        "support_modes": SupportMode.objects.filter(standard_value="Accompagnement individuel"),
    }
    values.update(fields)
    return places.place_create(provider=organisation, name=name, commune=commune, **values)


def offer(place, category: str, price_cents: int, *, is_active: bool = True, title: str | None = None):
    return places.offer_create(
        place=place,
        category=ServiceCategory.objects.get(standard_value=category),
        title=title or f"{category} ({price_cents})",
        price_cents=price_cents,
        duration_minutes=60,
        format=OfferFormat.INDIVIDUAL,
        is_active=is_active,
    )
