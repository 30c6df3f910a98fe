"""Reads of the public catalogue: the search (list and map) and the place page, with its ratings.

Only published places of labelled providers are public (ADR 0008: places.selectors.public_places).
Distance searches prefilter with a bounding box in SQL and compute the exact haversine distance in
Python (see places/geo.py).
"""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet

from aptic.places.geo import bounding_box, haversine_km
from aptic.places.models import Offer, Place
from aptic.places.selectors import public_places
from aptic.vouchers.ratings import place_ratings

PAGE_SIZE = 20


def public_place(pk: int) -> Place | None:
    """A public place with all it shows on its page, or None (hidden, unlabelled, unknown)."""
    active_offers = (
        Offer.objects.filter(is_active=True).select_related("category").prefetch_related("publics").order_by("title")
    )
    return (
        public_places()
        .select_related("commune__departement", "provider")
        .prefetch_related(
            "typologies",
            "service_categories",
            "publics",
            "access_modes",
            "support_modes",
            Prefetch("offers", queryset=active_offers, to_attr="active_offers"),
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class PlaceSearch:
    """What the catalogue is asked; every part is optional, and an empty search lists everything.

    communes: places in these communes (a commune, or every commune of a postal code).
    centre and radius_km: places within radius_km of centre (latitude, longitude), nearest first.
    category, typology, public: catalogue terms; format: an OfferFormat; aptic_only: places with at
    least one active offer payable with #APTIC vouchers.
    """

    communes: tuple = ()
    centre: tuple[float, float] | None = None
    radius_km: float | None = None
    category: object = None
    typology: object = None
    public: object = None
    format: str = ""
    aptic_only: bool = False

    @property
    def by_distance(self) -> bool:
        return self.centre is not None and self.radius_km is not None


def _filtered(search: PlaceSearch) -> QuerySet[Place]:
    qs = public_places()
    if search.communes:
        qs = qs.filter(commune__in=search.communes)
    if search.by_distance:
        box = bounding_box(search.centre[0], search.centre[1], search.radius_km)
        in_lng = Q()
        for low, high in box.lng_ranges:
            in_lng |= Q(longitude__gte=low, longitude__lte=high)
        qs = qs.filter(Q(latitude__gte=box.min_lat, latitude__lte=box.max_lat) & in_lng)
    active = Offer.objects.filter(is_active=True)
    # Subqueries rather than joins: a place matching twice must not appear twice.
    if search.category is not None:
        declared = Place.service_categories.through.objects.filter(servicecategory=search.category)
        qs = qs.filter(
            Q(pk__in=declared.values("place_id")) | Q(pk__in=active.filter(category=search.category).values("place_id"))
        )
    if search.typology is not None:
        qs = qs.filter(pk__in=Place.typologies.through.objects.filter(placetypology=search.typology).values("place_id"))
    if search.public is not None:
        declared = Place.publics.through.objects.filter(public=search.public)
        offered = Offer.publics.through.objects.filter(public=search.public, offer__is_active=True)
        qs = qs.filter(Q(pk__in=declared.values("place_id")) | Q(pk__in=offered.values("offer__place_id")))
    if search.format:
        qs = qs.filter(pk__in=active.filter(format=search.format).values("place_id"))
    if search.aptic_only:
        qs = qs.filter(pk__in=active.filter(accepts_aptic=True).values("place_id"))
    return qs


def _within_radius(search: PlaceSearch, rows, lat_index: int, lng_index: int) -> list[tuple]:
    """(distance_km, row) for the rows within the radius, nearest first (ties by id, the first column)."""
    lat0, lng0 = search.centre
    hits = []
    for row in rows:
        distance = haversine_km(lat0, lng0, row[lat_index], row[lng_index])
        if distance <= search.radius_km:
            hits.append((distance, row))
    hits.sort(key=lambda hit: (hit[0], hit[1][0]))
    return hits


@dataclass
class SearchPage:
    page: Page
    places: list[Place] = field(default_factory=list)
    count: int = 0


def search_page(search: PlaceSearch, page_number=1, *, per_page: int = PAGE_SIZE) -> SearchPage:
    """One page of the catalogue: places with .distance_km (or None), .categories and .price_range.

    Without a distance, the database sorts by name and paginates. With one, the rows inside the
    bounding box (id and coordinates only) are filtered and sorted in Python, then the page's
    places are loaded.
    """
    qs = _filtered(search)
    distances = {}
    if search.by_distance:
        hits = _within_radius(search, qs.values_list("pk", "latitude", "longitude"), 1, 2)
        paginator = Paginator([row[0] for _, row in hits], per_page)
        page = paginator.get_page(page_number)
        distances = {row[0]: distance for distance, row in hits}
        ids = list(page.object_list)
    else:
        paginator = Paginator(qs.order_by("name", "pk").values_list("pk", flat=True), per_page)
        page = paginator.get_page(page_number)
        ids = list(page.object_list)
    active_offers = Offer.objects.filter(is_active=True).select_related("category").order_by("price_cents")
    loaded = (
        Place.objects.select_related("commune")
        .prefetch_related("service_categories", Prefetch("offers", queryset=active_offers, to_attr="active_offers"))
        .in_bulk(ids)
    )
    places = []
    for pk in ids:
        place = loaded[pk]
        place.distance_km = distances.get(pk)
        place.categories = _categories(place)
        prices = [offer.price_cents for offer in place.active_offers]
        place.price_range = (min(prices), max(prices)) if prices else None
        places.append(place)
    return SearchPage(page=page, places=places, count=paginator.count)


def _categories(place: Place) -> list:
    """Declared categories and those of active offers, once each, in the vocabulary's order."""
    terms = {term.pk: term for term in place.service_categories.all()}
    for offer in place.active_offers:
        terms.setdefault(offer.category_id, offer.category)
    return sorted(terms.values(), key=lambda term: (term.position, term.label))


def map_rows(search: PlaceSearch) -> list[tuple]:
    """(id, latitude, longitude, name, commune name, distance in km or None) of every place of a search.

    Plain .values_list() rows, never model instances, unordered: the map of 10,000 places must stay
    fast (see bench/places.py). With a distance, only the rows within the radius, nearest first.
    """
    rows = _filtered(search).order_by().values_list("pk", "latitude", "longitude", "name", "commune__name")
    if search.by_distance:
        return [(*row, distance) for distance, row in _within_radius(search, rows, 1, 2)]
    return [(*row, None) for row in rows]


@dataclass(frozen=True)
class Rating:
    average: float  # out of 5
    count: int
    # The latest published comments (aptic.vouchers.models.Rating, with .offer), newest first.
    comments: tuple = ()


def rating_of(place: Place) -> Rating | None:
    """Beneficiaries' ratings of the place (ratings not hidden, of redemptions not cancelled); None without any."""
    ratings = place_ratings(place.pk)
    if not ratings.count:
        return None
    return Rating(average=ratings.average, count=ratings.count, comments=tuple(ratings.comments))
