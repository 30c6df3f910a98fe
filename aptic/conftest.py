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


@pytest.fixture(autouse=True)
def _force_login_verifies_staff(monkeypatch):
    """`client.force_login(user)` also passes the second factor when the user has a confirmed TOTP
    device (staff made by UserFactory have one), as a real login followed by a code would (ADR 0019).
    Tests of the second factor itself log in with `client.login(...)`, or use a staff member made with
    `UserFactory(is_staff=True, otp_device=False)`."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                session = self.session
                session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


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
