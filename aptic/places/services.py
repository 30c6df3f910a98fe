"""Writes about places (the full provider journey arrives with the providers issue)."""

from django.db import transaction

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.core.errors import DomainError

from .models import Place


@transaction.atomic
def place_create(
    *,
    provider: Organisation,
    name: str,
    address: str,
    commune,
    latitude=None,
    longitude=None,
    typologies=(),
    is_mobile=False,
) -> Place:
    if provider.kind != OrganisationKind.PROVIDER:
        raise DomainError("Seule une structure de médiation numérique peut avoir des lieux.")
    name = (name or "").strip()
    if not name:
        raise DomainError("Indiquez le nom du lieu.", field="name")
    if provider.places.filter(name=name).exists():
        raise DomainError("Votre structure a déjà un lieu de ce nom.", field="name")
    # Without coordinates, the commune's own position stands in until the address is geocoded.
    latitude = commune.latitude if latitude is None else latitude
    longitude = commune.longitude if longitude is None else longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError("Les coordonnées du lieu sont impossibles.", field="latitude")
    place = Place.objects.create(
        provider=provider,
        name=name[:200],
        address=(address or "").strip()[:250],
        commune=commune,
        latitude=latitude,
        longitude=longitude,
        is_mobile=is_mobile,
    )
    if typologies:
        place.typologies.set(typologies)
    return place
