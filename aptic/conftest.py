"""Fixtures shared by every app's tests."""

import os

import pytest
from hypothesis import settings

from aptic.core.tests import guards
from aptic.core.tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory, UserFactory

# On CI, property tests draw the same examples every run: a red run must come from the code.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The ledger's size when the test started, for the tests that use the database (see _books_checked).
LEDGER_BEFORE = pytest.StashKey[int]()


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` is the one way a test says it needs PostgreSQL (ADR 0032): skipped here
    when the suite runs on SQLite, never on PostgreSQL, which CI runs after SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (@pytest.mark.postgres): run with DATABASE_URL=postgresql://…, as CI does"
    )
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _one_time_zone():
    """Nothing activates a time zone: core/clock.day_of reads the default one (ADR 0063)."""
    with guards.one_time_zone():
        yield


@pytest.fixture(scope="session", autouse=True)
def _unordered_queries_in_random_order():
    """A query without an order comes back shuffled in tests: nothing may rely on insertion order."""
    with guards.random_default_order():
        yield


@pytest.fixture(autouse=True)
def _books_checked(request):
    """Note the ledger's size before a test that uses the database; pytest_runtest_call checks every
    invariant of the books after it when the test wrote to the ledger. The database is set up first, so
    that the count is read inside the test's transaction. `@pytest.mark.ledger_breach` opts out."""
    node = request.node
    uses_db = node.get_closest_marker("django_db") or "_django_db_helper" in request.fixturenames
    if uses_db and not node.get_closest_marker("ledger_breach"):
        request.getfixturevalue("_django_db_helper")
        node.stash[LEDGER_BEFORE] = guards.ledger_size()
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test that moved money ends with the books checked: any breach fails it (ADR 0032)."""
    from django.db import connection

    result = yield  # a failing test fails on its own: no check on top
    before = item.stash.get(LEDGER_BEFORE, None)
    if before is None or connection.needs_rollback:  # no database, or a transaction already broken
        return result
    if guards.ledger_size() != before and (breaches := guards.ledger_breaches()):
        pytest.fail("The books break their invariants after this test:\n" + "\n".join(breaches), pytrace=False)
    return result


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
    from aptic.vocabulary.services import vocabulary_load

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
