"""Fixtures of the provider's journey: a structure with its people, staff, the vocabulary."""

import pytest

from .factories import ProviderFactory, admin_of, member_of


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
