"""The audit tests walk through real staff actions: they need the real territories (places import)
and borrow the worlds of billing (offers, quote requests) and payouts (providers, vouchers, staff)."""

import pytest

from aptic.billing.tests.conftest import offers, quote_request, sent_quote  # noqa: F401 (fixtures)
from aptic.core.tests import world
from aptic.payouts.tests.conftest import pay  # noqa: F401 (fixture)


@pytest.fixture(scope="package", autouse=True)
def reference_data(django_db_setup, django_db_blocker):
    with world.reference_data(django_db_blocker):
        yield


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Jobs run when their transaction commits; in a test, when this block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
