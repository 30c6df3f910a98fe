"""Reference data for the places tests, committed once for this package (as in aptic/opendata/tests).

Places sit in real communes (Saint-Étienne, Firminy, Lyon…) with their real coordinates and postal
codes, and use the standard's vocabulary: both are loaded outside any test transaction, once, and
removed after the package's last test if this package loaded them. Every test runs in its own
rolled-back transaction on top.
"""

import pytest

from aptic.core.tests import world
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory

from .factories import label


@pytest.fixture(scope="package", autouse=True)
def reference_data(django_db_setup, django_db_blocker):
    with world.reference_data(django_db_blocker):
        yield


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
