"""Fixtures shared by every app's tests."""

import os

import pytest
from hypothesis import settings

from aptic.core.tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory, UserFactory

# On CI, property tests draw the same examples every run: a red run must come from the code.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Caches live in the process; rolled-back rows (and reused ids) must not leave answers behind."""
    from django.core.cache import cache

    from aptic.core.generations import local_clear

    cache.clear()
    local_clear()
    yield
    cache.clear()
    local_clear()


@pytest.fixture
def vocabulary(db):
    from aptic.catalogue.services import vocabulary_load

    vocabulary_load()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, full_name="Camille Équipe")


@pytest.fixture
def commune(db):
    return CommuneFactory()


@pytest.fixture
def funder(db):
    return OrganisationFactory(kind="funder", name="Département de test")


@pytest.fixture
def provider(db):
    return OrganisationFactory(kind="provider", name="Fablab de test")


@pytest.fixture
def funder_admin(funder):
    return MembershipFactory(organisation=funder, role="admin").user


@pytest.fixture
def funder_member(funder):
    return MembershipFactory(organisation=funder, role="member").user


@pytest.fixture
def provider_admin(provider):
    return MembershipFactory(organisation=provider, role="admin").user


@pytest.fixture
def user(db):
    return UserFactory()
