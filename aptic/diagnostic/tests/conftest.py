"""The diagnostic's tests run on the real territories and vocabulary, committed once for the
package (as in aptic/places/tests); each test builds its places in its own transaction."""

import random

import pytest

from aptic.core.tests import world
from aptic.diagnostic.models import CommuneCoverage, CommuneSummary, NationalMedian, Run, TerritoryFigures
from aptic.diagnostic.services import diagnostic_compute
from aptic.places.models import ReferencePlace
from aptic.vocabulary.models import ServiceCategory

from .places import reference_places


@pytest.fixture(scope="package", autouse=True)
def reference_data(django_db_setup, django_db_blocker):
    with world.reference_data(django_db_blocker):
        yield


STORED = (CommuneCoverage, CommuneSummary, TerritoryFigures, NationalMedian, Run)


@pytest.fixture(scope="module")
def computed(django_db_blocker):
    """Reference places around Gironde (the last category offered nowhere), the diagnostic
    computed once and committed for the module, removed after it."""
    with django_db_blocker.unblock():
        categories = list(ServiceCategory.objects.filter(is_active=True))
        places = reference_places(random.Random(52), categories[:-1])
        diagnostic_compute()
    yield {"places": places, "categories": categories}
    with django_db_blocker.unblock():
        for model in STORED:
            model.objects.all().delete()
        ReferencePlace.objects.filter(source="cartographie-nationale").delete()
