"""The real territories and the vocabulary, committed once for the tests of this package.

Imports resolve real communes (Reims, Saint-Étienne, Paris…) and map the standard's values onto the
vocabulary, so both are loaded once, outside any test transaction (pytest-django's
``django_db_blocker`` pattern, as in aptic/territories/tests/conftest.py), and removed after the
last test of the package if this package loaded them. Every test runs in its own rolled-back
transaction on top.
"""

import pytest

from aptic.catalogue import models as vocabulary
from aptic.catalogue.services import DATASET as VOCABULARY
from aptic.catalogue.services import vocabulary_load
from aptic.core.models import ReferenceDataset
from aptic.core.tests.helpers import empty_territories
from aptic.territories.services import territories_load


@pytest.fixture(scope="package", autouse=True)
def reference_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        territories_loaded = territories_load().loaded
        vocabulary_loaded = vocabulary_load() is not None
    yield
    with django_db_blocker.unblock():
        if vocabulary_loaded:
            for model in (
                vocabulary.ServiceCategory,
                vocabulary.PlaceTypology,
                vocabulary.Public,
                vocabulary.AccessMode,
                vocabulary.SupportMode,
            ):
                model.objects.all().delete()
            ReferenceDataset.objects.filter(name=VOCABULARY).delete()
        if territories_loaded:
            empty_territories()
