"""Reference data for the places tests, committed once for this package (as in aptic/opendata/tests).

Places sit in real communes (Saint-Étienne, Firminy, Lyon…) with their real coordinates and postal
codes, and use the standard's vocabulary: both are loaded outside any test transaction, once, and
removed after the package's last test if this package loaded them. Every test runs in its own
rolled-back transaction on top.
"""

import pytest

from aptic.catalogue import models as vocabulary
from aptic.catalogue.services import DATASET as VOCABULARY
from aptic.catalogue.services import vocabulary_load
from aptic.core.models import ReferenceDataset
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import empty_territories
from aptic.territories.services import territories_load

from .factories import label


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


@pytest.fixture
def provider(db):
    """A provider organisation, labelled (its published places are public)."""
    organisation = OrganisationFactory(kind="provider", name="Fablab de test")
    label(organisation)
    return organisation


@pytest.fixture
def provider_member(provider):
    return MembershipFactory(organisation=provider, role="member").user


@pytest.fixture
def other_provider(db):
    organisation = OrganisationFactory(kind="provider", name="Autre structure")
    label(organisation)
    return organisation


@pytest.fixture
def other_admin(other_provider):
    return MembershipFactory(organisation=other_provider, role="admin").user
