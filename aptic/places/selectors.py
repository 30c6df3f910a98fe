"""Reads about places: a provider's own places, and which places the public may see.

Only published places of labelled providers are public (ADR 0008). The public catalogue's search,
map rows and place page are in aptic.directory (ADR 0030).
"""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from aptic.providers.selectors import labelled_providers

from .models import Offer, Place


def _offer_count(**filters) -> Coalesce:
    counted = (
        Offer.objects.filter(place=OuterRef("pk"), **filters)
        .order_by()
        .values("place")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def places_of(organisation) -> QuerySet[Place]:
    """The organisation's places, published or hidden, with their number of offers (all, active)."""
    return (
        Place.objects.filter(provider=organisation)
        .select_related("commune")
        .prefetch_related("typologies")
        .annotate(offer_count=_offer_count(), active_offer_count=_offer_count(is_active=True))
    )


def place_count(organisation) -> int:
    return Place.objects.filter(provider=organisation).count()


def active_offer_count(organisation) -> int:
    return Offer.objects.filter(place__provider=organisation, is_active=True).count()


def offers_of(place: Place) -> QuerySet[Offer]:
    return place.offers.select_related("category").prefetch_related("publics").order_by("-is_active", "title")


def public_places() -> QuerySet[Place]:
    """Every place the public may see: published, of a labelled provider."""
    return Place.objects.filter(is_published=True, provider_id__in=labelled_providers().values("pk"))


def is_labelled(organisation) -> bool:
    """Whether the provider's published places are public today (ADR 0008: one definition, in providers)."""
    return labelled_providers().filter(pk=organisation.pk).exists()
