"""Loading the territories (goal: under 60 s on SQLite), beside a raw insert of the same rows.

Platform: services.territories_load(force=True) on an empty database (bulk upserts, search names,
postal codes, bookkeeping). Baseline: the same rows, already prepared, inserted with one
executemany per table through the bare DB-API cursor, in one transaction.
"""

import csv
import time

from django.db import connection, transaction

from aptic.core.tests.helpers import empty_territories
from aptic.territories.models import Commune, Departement, Epci, PostalCode, Region
from aptic.territories.normalise import normalise_name
from aptic.territories.services import DATA_DIR, territories_load

GOAL_SECONDS = 60


def _rows(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _raw_insert():
    regions = [(r["code"], r["name"]) for r in _rows("regions.csv")]
    departements = [(r["code"], r["name"], r["region_code"]) for r in _rows("departements.csv")]
    epcis = [(r["siren"], r["name"], r["nature"]) for r in _rows("epcis.csv")]
    communes_rows = _rows("communes.csv")
    communes = [
        (
            r["insee_code"],
            r["name"],
            normalise_name(r["name"]),
            r["departement_code"],
            r["region_code"],
            r["epci_siren"] or None,
            int(r["population"]) if r["population"] else None,
            float(r["latitude"]),
            float(r["longitude"]),
            r["postal_codes"],
            True,
        )
        for r in communes_rows
    ]
    postal = [(code, r["insee_code"]) for r in communes_rows for code in r["postal_codes"].split()]
    started = time.perf_counter()
    q = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {q(Region._meta.db_table)} (code, name) VALUES (%s, %s)", regions)
        cursor.executemany(
            f"INSERT INTO {q(Departement._meta.db_table)} (code, name, region_id) VALUES (%s, %s, %s)", departements
        )
        cursor.executemany(f"INSERT INTO {q(Epci._meta.db_table)} (siren, name, nature) VALUES (%s, %s, %s)", epcis)
        cursor.executemany(
            f"INSERT INTO {q(Commune._meta.db_table)} (insee_code, name, search_name, departement_id, region_id, "
            "epci_id, population, latitude, longitude, postal_codes, is_current) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            communes,
        )
        cursor.executemany(f"INSERT INTO {q(PostalCode._meta.db_table)} (code, commune_id) VALUES (%s, %s)", postal)
    return time.perf_counter() - started, len(communes)


def run():
    empty_territories()
    started = time.perf_counter()
    report = territories_load(force=True)
    platform = time.perf_counter() - started
    started = time.perf_counter()
    again = territories_load()
    noop = time.perf_counter() - started
    assert report.loaded and not again.loaded
    empty_territories()
    raw, count = _raw_insert()
    empty_territories()
    territories_load()  # leave the database as the platform would
    verdict = "OK" if platform < GOAL_SECONDS else "TOO SLOW"
    print(f"territories load: {count} communes")
    print(f"  platform territories_load     {platform:7.2f} s   (goal < {GOAL_SECONDS} s: {verdict})")
    print(f"  second load (unchanged files) {noop:7.2f} s")
    print(f"  raw executemany baseline      {raw:7.2f} s")
    print(f"  ratio platform / raw          {platform / raw:7.2f}x")
