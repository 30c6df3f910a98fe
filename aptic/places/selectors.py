"""Reads about places: a provider's own places, and which places the public may see.

Only published places of labelled providers are public (ADR 0008). The public catalogue's search,
map rows and place page are in aptic.directory (ADR 0030).
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from aptic.providers.selectors import labelled_providers
from aptic.territories.normalise import normalise_name

from .geo import haversine_km
from .models import Offer, Place, ReferenceImport, ReferencePlace


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


@dataclass(frozen=True)
class KnownPlace:
    """A place of the existing offer for the territorial diagnostic (ADR 0049): an #APTIC place
    (public: published, of a labelled provider) or a reference place not retired."""

    kind: str  # "aptic" or "reference"
    pk: int
    name: str
    commune_id: str
    latitude: float
    longitude: float
    category_ids: frozenset


APTIC, REFERENCE = "aptic", "reference"
# A reference place is the same place as a public #APTIC place (ADR 0050) when they are in the same
# commune and have the same normalised name, or the same SIRET and lie within this distance.
TWIN_MAX_METRES = 200


class TwinIndex:
    """The public #APTIC places by commune, to recognise a reference place that is one of them."""

    def __init__(self, rows):
        # rows: (commune_id, name, siret, latitude, longitude)
        self._by_commune = defaultdict(list)
        for commune_id, name, siret, latitude, longitude in rows:
            self._by_commune[commune_id].append((normalise_name(name), siret, latitude, longitude))

    @classmethod
    def of_public_places(cls) -> "TwinIndex":
        return cls(public_places().values_list("commune_id", "name", "provider__siret", "latitude", "longitude"))

    def has_twin(self, commune_id, name, siret, latitude, longitude) -> bool:
        candidates = self._by_commune.get(commune_id)
        if not candidates:  # most reference places: no #APTIC place in their commune, no name to normalise
            return False
        wanted = normalise_name(name)
        for other_name, other_siret, lat, lng in candidates:
            if wanted == other_name:
                return True
            if siret and siret == other_siret and haversine_km(latitude, longitude, lat, lng) * 1000 <= TWIN_MAX_METRES:
                return True
        return False


def known_places() -> list[KnownPlace]:
    """Every known place with the service categories it offers: for an #APTIC place, those it
    declares and those of its active offers; for a reference place, those of its source. A reference
    place that is also a public #APTIC place (TwinIndex) counts once, as the #APTIC place."""
    categories = defaultdict(set)
    public = public_places()
    for place_id, category_id in Place.service_categories.through.objects.filter(place__in=public).values_list(
        "place_id", "servicecategory_id"
    ):
        categories[(APTIC, place_id)].add(category_id)
    for place_id, category_id in Offer.objects.filter(place__in=public, is_active=True).values_list(
        "place_id", "category_id"
    ):
        categories[(APTIC, place_id)].add(category_id)
    active = ReferencePlace.objects.filter(retired_at__isnull=True)
    for place_id, category_id in ReferencePlace.service_categories.through.objects.filter(
        referenceplace__in=active
    ).values_list("referenceplace_id", "servicecategory_id"):
        categories[(REFERENCE, place_id)].add(category_id)
    fields = ("pk", "name", "commune_id", "latitude", "longitude")
    aptic_rows = list(public.values_list(*fields, "provider__siret"))
    twins = TwinIndex((commune_id, name, siret, lat, lng) for _, name, commune_id, lat, lng, siret in aptic_rows)
    reference_rows = [
        row[:5]
        for row in active.values_list(*fields, "siret")
        if not twins.has_twin(row[2], row[1], row[5], row[3], row[4])
    ]
    return [
        KnownPlace(kind, pk, name, commune_id, latitude, longitude, frozenset(categories[(kind, pk)]))
        for kind, rows in ((APTIC, [row[:5] for row in aptic_rows]), (REFERENCE, reference_rows))
        for pk, name, commune_id, latitude, longitude in rows
    ]


@dataclass(frozen=True)
class ReferenceSource:
    """A source of reference places for the staff: its places and its last import (ADR 0050)."""

    name: str
    active: int
    retired: int
    last_import: ReferenceImport | None


def reference_sources() -> list[ReferenceSource]:
    def per_source(**filters) -> dict[str, int]:
        rows = ReferencePlace.objects.filter(**filters).order_by().values_list("source").annotate(n=Count("pk"))
        return dict(rows)

    active, retired = per_source(retired_at__isnull=True), per_source(retired_at__isnull=False)
    names = set(active) | set(retired) | set(ReferenceImport.objects.values_list("source", flat=True).distinct())
    return [
        ReferenceSource(
            name,
            active.get(name, 0),
            retired.get(name, 0),
            ReferenceImport.objects.filter(source=name).order_by("-created_at", "-pk").first(),
        )
        for name in sorted(names)
    ]


def reference_imports(limit: int = 20) -> QuerySet[ReferenceImport]:
    return ReferenceImport.objects.select_related("job", "created_by")[:limit]


def known_places_fingerprint() -> str:
    """A digest that changes whenever known_places() may have changed (a place, an offer, a
    category, a retirement, a provider's label), read from a few aggregates rather than the rows:
    the diagnostic compares it with its last computation's (ADR 0052)."""
    through = (Place.service_categories.through, ReferencePlace.service_categories.through)
    parts = [
        public_places().aggregate(n=Count("pk"), last=Max("updated_at")),
        Place.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        Offer.objects.aggregate(n=Count("pk"), active=Count("pk", filter=Q(is_active=True)), last=Max("updated_at")),
        ReferencePlace.objects.aggregate(
            n=Count("pk"), retired=Count("retired_at"), last=Max("updated_at"), last_retired=Max("retired_at")
        ),
        *(model.objects.aggregate(n=Count("pk"), last=Max("pk")) for model in through),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
