"""Import of 50,000 reference places (ADR 0050), beside a raw baseline writing the same rows.

Setup (not timed): territories and vocabulary; a generated file in the national standard of ROWS
places over every current commune of France (overseas included), with typologies, services,
coordinates near the commune, a pivot that is a SIRET, an RNA number or empty.

1. First import: `reference_places_import` (read, check every row, create, in one transaction).
2. Re-import of the same file: every row compared, none written.
3. Re-import with 10 % of rows changed, 5 % gone, 5 % new.
Baseline: the same file read by csv.reader and written by executemany (places and their two
relations) in one transaction through the DB-API cursor, with no check at all.
"""

import csv
import io
import random
import time

from django.db import connection, transaction
from stdnum import luhn

from aptic.opendata import standard
from aptic.opendata.reference import reference_places_import
from aptic.places.models import ReferencePlace
from aptic.territories.models import Commune
from aptic.territories.services import territories_load
from aptic.vocabulary.models import PlaceTypology, ServiceCategory
from aptic.vocabulary.services import vocabulary_load

from .exports import Peak

ROWS = 50_000
TYPOLOGIES = ["BIB", "RFS", "CCAS", "EPN", "CS", "ML", "ASSO", "TIERS_LIEUX"]


def _siret(rng) -> str:
    siren = f"{rng.randrange(10**8):08d}"
    siren += luhn.calc_check_digit(siren)
    nic = f"{rng.randrange(10**4):04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def _rows(rng, communes, services, count, start=0) -> list[dict]:
    rows = []
    for number in range(start, start + count):
        commune = rng.choice(communes)
        pivot = rng.choice([_siret(rng), f"W{rng.randrange(10**9):09d}", ""])
        rows.append(
            {
                "id": f"bench-{number}",
                "pivot": pivot,
                "nom": f"Lieu numérique {number}",
                "commune": commune.name,
                "code_postal": commune.postal_codes.split(" ", 1)[0],
                "code_insee": commune.insee_code,
                "adresse": f"{rng.randint(1, 99)} rue de la République",
                "latitude": f"{commune.latitude + rng.uniform(-0.01, 0.01):.6f}",
                "longitude": f"{commune.longitude + rng.uniform(-0.01, 0.01):.6f}",
                "typologie": rng.choice(TYPOLOGIES),
                "services": standard.SEPARATOR.join(rng.sample(services, k=rng.randint(1, 4))),
                "date_maj": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
            }
        )
    return rows


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=standard.columns(), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _baseline(data: bytes) -> float:
    """csv.reader + executemany of the same rows and relations, no check; rolled back after."""
    categories = {c.standard_value: c.pk for c in ServiceCategory.objects.all()}
    typologies = {t.standard_value: t.pk for t in PlaceTypology.objects.all()}
    table = ReferencePlace._meta.db_table
    started = time.perf_counter()
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    rows = list(reader)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (source, source_id, name, commune_id, address, postal_code, latitude, longitude, "
            "siret, website, source_updated_on, imported_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, '', %s, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [
                ("baseline", r["id"], r["nom"], r["code_insee"], r["adresse"], r["code_postal"], float(r["latitude"]),
                 float(r["longitude"]), r["pivot"][:14] if r["pivot"][:1].isdigit() else "", r["date_maj"])
                for r in rows
            ],
        )  # fmt: skip
        cursor.execute(f"SELECT source_id, id FROM {table} WHERE source = 'baseline'")
        pks = dict(cursor.fetchall())
        links = ReferencePlace.service_categories.through._meta.db_table
        cursor.executemany(
            f"INSERT INTO {links} (referenceplace_id, servicecategory_id) VALUES (%s, %s)",
            [(pks[r["id"]], categories[s]) for r in rows for s in r["services"].split(standard.SEPARATOR)],
        )
        links = ReferencePlace.typologies.through._meta.db_table
        cursor.executemany(
            f"INSERT INTO {links} (referenceplace_id, placetypology_id) VALUES (%s, %s)",
            [(pks[r["id"]], typologies[r["typologie"]]) for r in rows],
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _copy_baseline(data: bytes) -> float | None:
    """PostgreSQL only: csv.reader + COPY FROM STDIN of the places and their relations; rolled back."""
    if connection.vendor != "postgresql":
        return None
    categories = {c.standard_value: c.pk for c in ServiceCategory.objects.all()}
    typologies = {t.standard_value: t.pk for t in PlaceTypology.objects.all()}
    table = ReferencePlace._meta.db_table
    started = time.perf_counter()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        columns = "source, source_id, name, commune_id, address, postal_code, latitude, longitude, siret, website, "
        columns += "source_updated_on, imported_at, updated_at"
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(("baseline", r["id"], r["nom"], r["code_insee"], r["adresse"], r["code_postal"],
                                float(r["latitude"]), float(r["longitude"]),
                                r["pivot"][:14] if r["pivot"][:1].isdigit() else "", "", r["date_maj"],
                                "2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z"))  # fmt: skip
        cursor.execute(f"SELECT source_id, id FROM {table} WHERE source = 'baseline'")
        pks = dict(cursor.fetchall())
        links = ReferencePlace.service_categories.through._meta.db_table
        with raw.copy(f"COPY {links} (referenceplace_id, servicecategory_id) FROM STDIN") as copy:
            for r in rows:
                for service in r["services"].split(standard.SEPARATOR):
                    copy.write_row((pks[r["id"]], categories[service]))
        links = ReferencePlace.typologies.through._meta.db_table
        with raw.copy(f"COPY {links} (referenceplace_id, placetypology_id) FROM STDIN") as copy:
            for r in rows:
                copy.write_row((pks[r["id"]], typologies[r["typologie"]]))
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def run():
    territories_load()
    vocabulary_load()
    rng = random.Random(16)
    communes = list(Commune.objects.filter(is_current=True))
    services = sorted(ServiceCategory.objects.exclude(standard_value="").values_list("standard_value", flat=True))
    rows = _rows(rng, communes, services, ROWS)
    data = _csv(rows)
    print(f"reference places: {ROWS:,} rows, {len(data) / 2**20:.1f} MB, {len(communes):,} communes")

    baseline = _baseline(data)
    print(f"  baseline: csv.reader + executemany, no check          {baseline:8.1f} s")
    copied = _copy_baseline(data)
    if copied is not None:
        print(f"  baseline: csv.reader + COPY FROM STDIN, no check      {copied:8.1f} s")

    def timed(label, payload):
        with Peak() as memory:
            started = time.perf_counter()
            report = reference_places_import(source="Bench", data=payload)
            seconds = time.perf_counter() - started
        assert not report.has_errors, report.errors[:5]
        ratios = f"{seconds / baseline:.1f} × executemany" + (f", {seconds / copied:.1f} × COPY" if copied else "")
        print(f"  {label:<52} {seconds:8.1f} s   ({ratios}) "
              f"+{report.created:,} ~{report.updated:,} ={report.unchanged:,} -{report.retired:,}  "
              f"peak RSS +{memory.peak - memory.start:.0f} MB")  # fmt: skip

    timed("first import (all new)", data)
    timed("re-import, same file (nothing written)", data)
    changed = [
        {**row, "services": services[number % len(services)], "date_maj": "2026-11-30"} if number % 10 == 0 else row
        for number, row in enumerate(rows)
        if number % 20 != 1
    ] + _rows(rng, communes, services, ROWS // 20, start=ROWS)
    timed("re-import, 10 % changed, 5 % gone, 5 % new", _csv(changed))
