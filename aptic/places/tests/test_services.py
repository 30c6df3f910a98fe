"""Services and helpers, called directly: the same rules whatever the door (form, import, demo)."""

import inspect
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aptic.core.errors import DomainError
from aptic.core.forms import cents_to_euros_input, euros_to_cents
from aptic.core.tests.factories import OrganisationFactory
from aptic.directory import selectors as directory
from aptic.places import selectors, services
from aptic.places.geo import EARTH_RADIUS_KM, bounding_box, haversine_km
from aptic.places.models import Offer, Place

from .factories import OfferFactory, PlaceFactory, category, commune, labelled_place

db = pytest.mark.django_db


def test_shared_signatures_are_kept():
    create = inspect.signature(services.place_create)
    assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in create.parameters.values())
    assert {"provider", "name", "address", "commune", "latitude", "longitude", "opening_hours"} <= set(
        create.parameters
    )
    offer = inspect.signature(services.offer_create)
    # Every field an offer's service may set, plus its place, publics and moment (ADR 0037), as
    # keyword-only arguments.
    assert set(offer.parameters) == {"place", "publics", "at", *services.OFFER_FIELDS}
    assert all(p.kind == p.KEYWORD_ONLY for p in offer.parameters.values())
    assert list(inspect.signature(selectors.places_of).parameters) == ["organisation"]
    for name in ("place_update", "place_set_published", "offer_update", "offer_set_active"):
        params = inspect.signature(getattr(services, name)).parameters.values()
        assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params), name


@db
def test_place_update_applies_the_rules_of_place_create():
    place = PlaceFactory(opening_hours="Mo 10:00-12:00")
    for changes, field in [
        ({"opening_hours": "tous les jours"}, "opening_hours"),
        ({"phone": "12"}, "phone"),
        ({"summary": "x" * 281}, "summary"),
        ({"latitude": 123, "longitude": 4}, "latitude"),
        ({"latitude": 4.36, "longitude": 45.42}, "latitude"),  # swapped: far from the commune
        ({"name": "  "}, "name"),
        ({"commune": None}, "commune"),
        ({"website": "pas une adresse"}, "website"),
        ({"booking_url": "https://exemple.fr/" + "a" * 190}, "booking_url"),
        ({"email": "x@" + "a" * 260 + ".fr"}, "email"),
        ({"postal_code": "75001"}, "postal_code"),
    ]:
        with pytest.raises(DomainError) as error:
            services.place_update(place=place, **changes)
        assert error.value.field == field, changes
    place.refresh_from_db()
    assert place.opening_hours == "Mo 10:00-12:00"


@db
def test_place_update_changes_only_what_is_given():
    place = PlaceFactory(name="Ancien nom", phone="+33477430977", opening_hours="Mo 10:00-12:00")
    services.place_update(place=place, name="Nouveau nom", phone="04 77 00 00 00")
    place.refresh_from_db()
    assert (place.name, place.phone, place.opening_hours) == ("Nouveau nom", "+33477000000", "Mo 10:00-12:00")
    with pytest.raises(TypeError):
        services.place_update(place=place, provider=OrganisationFactory(kind="provider"))


@db
def test_place_update_replaces_relations_given():
    place = PlaceFactory()
    demarches = category()
    services.place_update(place=place, service_categories=[demarches])
    assert list(place.service_categories.all()) == [demarches]
    services.place_update(place=place, name="Autre nom")  # relations not given are kept
    assert list(place.service_categories.all()) == [demarches]
    services.place_update(place=place, service_categories=[])
    assert place.service_categories.count() == 0


@db
def test_place_create_checks_the_provider_kind_and_external_ids():
    funder = OrganisationFactory(kind="funder")
    with pytest.raises(DomainError, match="Seule une structure"):
        services.place_create(provider=funder, name="Lieu", address="1 rue", commune=commune())
    provider = OrganisationFactory(kind="provider")
    services.place_create(provider=provider, name="A", address="1 rue", commune=commune(), external_id="x-1")
    with pytest.raises(DomainError) as error:
        services.place_create(provider=provider, name="B", address="1 rue", commune=commune(), external_id="x-1")
    assert error.value.field == "external_id"
    assert Place.objects.filter(provider=provider).count() == 1


@db
def test_guyane_communes_are_large():
    provider = OrganisationFactory(kind="provider")
    maripasoula = commune("97353")
    place = services.place_create(
        provider=provider,
        name="Antenne",
        address="Bourg",
        commune=maripasoula,
        latitude=maripasoula.latitude + 1.0,  # 111 km north: possible in French Guiana
        longitude=maripasoula.longitude,
    )
    assert place.latitude == pytest.approx(maripasoula.latitude + 1.0)


@db
def test_place_set_published():
    place = PlaceFactory()
    services.place_set_published(place=place, is_published=False)
    place.refresh_from_db()
    assert not place.is_published


@db
def test_offer_update_applies_the_rules_of_offer_create():
    offer = OfferFactory(price_cents=1000)
    for changes, field in [
        ({"price_cents": -1}, "price_cents"),
        ({"price_cents": 10**12}, "price_cents"),
        ({"price_cents": "12"}, "price_cents"),
        ({"price_cents": True}, "price_cents"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 24 * 60 + 1}, "duration_minutes"),
        ({"format": "webinar"}, "format"),
        ({"title": ""}, "title"),
        ({"category": None}, "category"),
    ]:
        with pytest.raises(DomainError) as error:
            services.offer_update(offer=offer, **changes)
        assert error.value.field == field, changes
    offer.refresh_from_db()
    assert offer.price_cents == 1000


@db
def test_offer_update_and_set_active():
    offer = OfferFactory(price_cents=1000)
    services.offer_update(offer=offer, price_cents=0, duration_minutes=24 * 60)
    services.offer_set_active(offer=offer, is_active=False)
    offer.refresh_from_db()
    assert (offer.price_cents, offer.duration_minutes, offer.is_active) == (0, 1440, False)
    with pytest.raises(TypeError):
        services.offer_update(offer=offer, place=PlaceFactory())


@db
def test_places_of_counts_offers_and_stays_scoped():
    place = PlaceFactory()
    OfferFactory(place=place)
    OfferFactory(place=place, is_active=False)
    PlaceFactory()
    mine = selectors.places_of(place.provider)
    assert [(p.pk, p.offer_count, p.active_offer_count) for p in mine] == [(place.pk, 2, 1)]


@db
def test_public_places_needs_publication_and_label():
    public = labelled_place()
    PlaceFactory(provider=public.provider, is_published=False)
    PlaceFactory()
    assert list(selectors.public_places()) == [public]
    assert directory.public_place(public.pk) == public
    assert Offer.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12,50", 1250),
        ("12.50", 1250),
        ("12,5", 1250),
        ("0", 0),
        ("0,00", 0),
        ("gratuit", 0),
        ("Gratuit", 0),
        ("12,505", None),
        ("12,495", None),
        ("0,005", None),
        ("12,5", 1250),
        ("-3", -300),
        ("1 234,56 €", 123456),
        ("12,50\u00a0€", 1250),
        ("abc", None),
        ("1e12", None),
        ("NaN", None),
        ("Infinity", None),
        ("12,50,1", None),
        ("", None),
    ],
)
def test_euros_to_cents(typed, cents):
    assert euros_to_cents(typed) == cents


def test_cents_to_euros_input_round_trips():
    for cents in (0, 1, 99, 100, 1250, 123456):
        assert euros_to_cents(cents_to_euros_input(cents)) == cents


def test_haversine_known_distances():
    # Paris (Notre-Dame) to Lyon (Bellecour): about 392 km.
    assert haversine_km(48.8530, 2.3499, 45.7578, 4.8320) == pytest.approx(392, abs=2)
    assert haversine_km(45.0, 4.0, 45.0, 4.0) == 0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert EARTH_RADIUS_KM == 6371.0088


def _destination(lat, lng, bearing, distance_km):
    """The point at distance_km from (lat, lng) along the given bearing (radians), on the sphere."""
    d = distance_km / EARTH_RADIUS_KM
    phi1, lambda1 = math.radians(lat), math.radians(lng)
    phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(bearing))
    lambda2 = lambda1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(phi1), math.cos(d) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lambda2) + 540) % 360 - 180


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-85, 85),
    lng=st.floats(-180, 180),
    radius=st.floats(0.1, 500),
    bearing=st.floats(0, 2 * math.pi),
    fraction=st.floats(0, 1),
)
def test_every_point_within_the_radius_is_inside_the_bounding_box(lat, lng, radius, bearing, fraction):
    point_lat, point_lng = _destination(lat, lng, bearing, radius * fraction)
    box = bounding_box(lat, lng, radius)
    eps = 1e-9
    assert box.min_lat - eps <= point_lat <= box.max_lat + eps
    assert any(low - eps <= point_lng <= high + eps for low, high in box.lng_ranges)


def test_bounding_box_wraps_the_antimeridian_and_covers_poles():
    box = bounding_box(-17.5, 179.9, 50)  # Fiji
    assert len(box.lng_ranges) == 2
    assert bounding_box(89.9, 0, 50).lng_ranges == ((-180.0, 180.0),)
    france = bounding_box(45.4241, 4.36647, 30)
    assert france.max_lat - france.min_lat == pytest.approx(2 * 30 / 111.195, rel=1e-3)
