"""The real territories, loaded once for the tests of this package only.

Loading the 34,875 communes takes a few seconds, so it is done once, outside any test transaction
(pytest-django's ``django_db_setup`` + ``django_db_blocker`` pattern), and every test of this package
reads that committed data inside its own rolled-back transaction.

The fixture is package-scoped rather than session-scoped on purpose: a session-scoped fixture is only
torn down at the very end of the run, so the committed territories would still be in the test
database for the tests of other apps that run afterwards (``pytest aptic/territories aptic/accounts``,
a random order, ...). Package scope still loads them once per run (pytest keeps a package's tests
together) and empties the tables as soon as the last test of this package has run.
"""

import csv
from pathlib import Path

import pytest

from aptic.core.tests.helpers import empty_territories
from aptic.territories.services import DATA_DIR, territories_load


@pytest.fixture(scope="package", autouse=True)
def territories(django_db_setup, django_db_blocker):
    """Every region, département, EPCI and commune of the committed data files."""
    with django_db_blocker.unblock():
        # A kept database (--reuse-db) may still hold them from an earlier run: the loader then does nothing.
        report = territories_load()
    yield report
    with django_db_blocker.unblock():
        empty_territories()


def _read(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def communes_csv():
    """The rows of data/communes.csv, by INSEE code: what the database is compared with."""
    return {row["insee_code"]: row for row in _read("communes.csv")}


@pytest.fixture(scope="session")
def epcis_csv():
    return {row["siren"]: row for row in _read("epcis.csv")}


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR
