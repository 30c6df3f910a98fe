"""The diagnostic's tests run on the real territories and vocabulary, committed once for the
package (as in aptic/places/tests); each test builds its places in its own transaction."""

import pytest

from aptic.core.tests import world


@pytest.fixture(scope="package", autouse=True)
def reference_data(django_db_setup, django_db_blocker):
    with world.reference_data(django_db_blocker):
        yield
