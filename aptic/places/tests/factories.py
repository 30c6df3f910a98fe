"""Builders for the places tests: places and offers in real communes, labelled providers.

A provider is made labelled directly with the models (qualified, current charter accepted,
subscription in its free month), never through another app's screens.
"""

import factory

from aptic.core.tests.factories import OrganisationFactory
from aptic.core.tests.world import label  # noqa: F401 (shared)
from aptic.places.models import Offer, OfferFormat, Place
from aptic.territories.models import Commune
from aptic.vocabulary.models import ServiceCategory


def commune(insee_code: str = "42218") -> Commune:
    return Commune.objects.get(insee_code=insee_code)


def category(standard_value: str = "Aide aux démarches administratives") -> ServiceCategory:
    return ServiceCategory.objects.get(standard_value=standard_value)


class PlaceFactory(factory.django.DjangoModelFactory):
    """A published place at the centre of its commune (Saint-Étienne unless told)."""

    class Meta:
        model = Place

    provider = factory.SubFactory(OrganisationFactory, kind="provider")
    name = factory.Sequence(lambda n: f"Lieu {n}")
    address = "1 place de l'Hôtel de Ville"
    commune = factory.LazyFunction(commune)
    postal_code = factory.LazyAttribute(lambda o: o.commune.main_postal_code)
    latitude = factory.LazyAttribute(lambda o: o.commune.latitude)
    longitude = factory.LazyAttribute(lambda o: o.commune.longitude)
    is_published = True


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    place = factory.SubFactory(PlaceFactory)
    category = factory.LazyFunction(category)
    title = factory.Sequence(lambda n: f"Atelier {n}")
    price_cents = 1000
    duration_minutes = 60
    format = OfferFormat.INDIVIDUAL


def labelled_place(**fields) -> Place:
    """A published place of a labelled provider: what the public sees."""
    place = PlaceFactory(**fields)
    label(place.provider)
    return place
