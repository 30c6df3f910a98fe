"""Fixtures of the provider's journey: a structure with its people, staff, the vocabulary."""

import pytest

from aptic.catalogue.services import vocabulary_load
from aptic.core.tests.factories import UserFactory

from .factories import ProviderFactory, admin_of, member_of


@pytest.fixture
def vocabulary(db):
    vocabulary_load()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, full_name="Camille Équipe")


@pytest.fixture
def structure(commune):
    """A provider (structure) in state pending, in Saint-Étienne."""
    return ProviderFactory(organisation__commune=commune)


@pytest.fixture
def structure_admin(structure):
    return admin_of(structure)


@pytest.fixture
def structure_member(structure):
    return member_of(structure)


@pytest.fixture
def qualified(commune):
    return ProviderFactory(organisation__commune=commune, status="qualified")


@pytest.fixture
def qualified_admin(qualified):
    return admin_of(qualified)
