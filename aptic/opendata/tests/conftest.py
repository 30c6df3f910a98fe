"""The real territories and the vocabulary, committed once for the tests of this package.

Imports resolve real communes (Reims, Saint-Étienne, Paris…) and map the standard's values onto the
vocabulary, so both are loaded once, outside any test transaction (pytest-django's
``django_db_blocker`` pattern, as in aptic/territories/tests/conftest.py), and removed after the
last test of the package if this package loaded them. Every test runs in its own rolled-back
transaction on top.
"""

import pytest

from aptic.core.tests import world


@pytest.fixture(scope="package", autouse=True)
def reference_data(django_db_setup, django_db_blocker):
    with world.reference_data(django_db_blocker):
        yield
