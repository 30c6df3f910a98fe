"""Recomputing the diagnostic (ADR 0052): every current commune × every service category against
known_places(), then each territory's totals and the national medians, replaced in one transaction."""

import datetime
import time

import numpy as np
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from aptic.jobs.models import Job, JobStatus
from aptic.jobs.services import job_enqueue
from aptic.places.selectors import REFERENCE, known_places, known_places_fingerprint
from aptic.territories.models import Commune
from aptic.vocabulary.models import ServiceCategory

from .compute import COVERED_KM, THRESHOLDS_KM, farthest_ranks, group_sum, nearest, unit_vectors
from .models import CommuneCoverage, CommuneSummary, Level, NationalMedian, Run, TerritoryFigures

COMPUTE_JOB = "diagnostic.compute"
# Places change in bursts (an import, a provider editing its places): recompute once they have
# been still for this long.
DEBOUNCE = datetime.timedelta(seconds=60)
_SEEN_KEY = "diagnostic.seen-fingerprint"
# The territories of a commune, in the order of its values_list below.
_LEVELS = (Level.REGION, Level.DEPARTEMENT, Level.EPCI)


def _communes():
    """Current communes as arrays, and every commune's (région, département, EPCI) by code (a
    place may sit in a commune merged since)."""
    rows = list(
        Commune.objects.filter(is_current=True)
        .order_by("insee_code")
        .values_list("insee_code", "latitude", "longitude", "population", "region_id", "departement_id", "epci_id")
    )
    parents = {
        code: (region, departement, epci or "")
        for code, region, departement, epci in Commune.objects.values_list(
            "insee_code", "region_id", "departement_id", "epci_id"
        )
    }
    return rows, parents


def _groups(values) -> tuple[list, np.ndarray]:
    """Territory codes (unique, sorted) and each item's index among them (-1 for "")."""
    codes = sorted({v for v in values if v})
    index = {code: n for n, code in enumerate(codes)}
    return codes, np.array([index.get(v, -1) for v in values], dtype=np.int64)


def diagnostic_compute() -> Run:
    started = time.perf_counter()
    fingerprint = known_places_fingerprint()  # before reading: a change meanwhile is seen next time
    rows, parents = _communes()
    places = known_places()
    categories = list(ServiceCategory.objects.filter(is_active=True).values_list("pk", flat=True))
    n = len(rows)
    codes = [r[0] for r in rows]
    position = {code: i for i, code in enumerate(codes)}
    population = np.array([r[3] or 0 for r in rows], dtype=np.int64)
    origins = unit_vectors([r[1] for r in rows], [r[2] for r in rows])
    place_xyz = unit_vectors([p.latitude for p in places], [p.longitude for p in places]).reshape(-1, 3)
    place_commune = np.array([position.get(p.commune_id, -1) for p in places], dtype=np.int64)
    is_reference = np.array([p.kind == REFERENCE for p in places], dtype=bool)

    # Each level's territories: the communes' group indices and the places' (through their commune).
    levels = {}
    for depth, level in enumerate(_LEVELS):
        territory_codes, commune_groups = _groups([r[4 + depth] for r in rows])
        lookup = {code: i for i, code in enumerate(territory_codes)}
        place_groups = np.array(
            [lookup.get(parents.get(p.commune_id, ("", "", ""))[depth], -1) for p in places], dtype=np.int64
        )
        levels[level] = (territory_codes, commune_groups, place_groups)
    levels[Level.FRANCE] = ([""], np.zeros(n, dtype=np.int64), np.zeros(len(places), dtype=np.int64))

    per_category, figure_rows, median_rows = [], [], []
    far = np.zeros(n, dtype=np.int64)
    farthest = np.zeros(n)
    for category in categories:
        offers = np.array([category in p.category_ids for p in places], dtype=bool)
        chosen = np.flatnonzero(offers)
        km, index = nearest(origins, place_xyz[chosen] if len(chosen) else np.empty((0, 3)))
        far += km > COVERED_KM
        farthest = np.maximum(farthest, km)
        aptic_here = group_sum(place_commune, n, (offers & ~is_reference).astype(float))
        reference_here = group_sum(place_commune, n, (offers & is_reference).astype(float))
        found = [(places[chosen[j]].kind, places[chosen[j]].pk) if j >= 0 else ("", None) for j in index.tolist()]
        per_category.append(
            (
                category,
                np.round(km, 3).tolist(),
                found,
                aptic_here.astype(int).tolist(),
                reference_here.astype(int).tolist(),
                farthest_ranks(km).tolist(),
            )
        )
        covered = population > 0
        commune_coverage = _median((km[covered] <= COVERED_KM).astype(float))
        median_rows.append(NationalMedian(level=Level.COMMUNE, category_id=category, coverage=commune_coverage))
        for level, (territory_codes, commune_groups, place_groups) in levels.items():
            size = len(territory_codes)
            people = group_sum(commune_groups, size, population.astype(float))
            beyond = {t: group_sum(commune_groups, size, population * (km > t)) for t in THRESHOLDS_KM}
            aptic = group_sum(place_groups, size, (offers & ~is_reference).astype(float))
            reference = group_sum(place_groups, size, (offers & is_reference).astype(float))
            inhabited = people > 0
            shares = (people[inhabited] - beyond[COVERED_KM][inhabited]) / people[inhabited]
            median_rows.append(NationalMedian(level=level, category_id=category, coverage=_median(shares)))
            columns = (people, aptic, reference, beyond[5], beyond[10], beyond[20])
            figure_rows += [
                (level.value, code, category, *map(int, values))
                for code, *values in zip(territory_codes, *(c.tolist() for c in columns), strict=True)
            ]
    # Commune by commune, in the order of the unique index (commune, category): each insert appends.
    coverage_rows = [
        (code, category, None if kind == "" else km[i], kind, pk, aptic[i], reference[i], rank[i] or None)
        for i, code in enumerate(codes)
        for category, km, found, aptic, reference, rank in per_category
        for kind, pk in (found[i],)
    ]
    summaries = [
        (code, int(n), round(d, 3) if np.isfinite(d) else None)
        for code, n, d in zip(codes, far.tolist(), farthest.tolist(), strict=True)
    ]
    with transaction.atomic():
        for model in (CommuneCoverage, CommuneSummary, TerritoryFigures, NationalMedian):
            model.objects.all().delete()
        _insert(CommuneCoverage, COVERAGE_COLUMNS, coverage_rows)
        _insert(CommuneSummary, ("commune_id", "far_categories", "farthest_km"), summaries)
        _insert(TerritoryFigures, FIGURES_COLUMNS, figure_rows)
        NationalMedian.objects.bulk_create(median_rows)
        return Run.objects.create(
            fingerprint=fingerprint, places=len(places), communes=n, seconds=round(time.perf_counter() - started, 3)
        )


COVERAGE_COLUMNS = (
    "commune_id", "category_id", "nearest_km", "nearest_kind", "nearest_place_id", "aptic_places", "reference_places",
    "france_rank",
)  # fmt: skip


FIGURES_COLUMNS = (
    "level", "code", "category_id", "population", "aptic_places", "reference_places", "beyond_5", "beyond_10",
    "beyond_20",
)  # fmt: skip


def _insert(model, columns: tuple, rows: list) -> None:
    """Rows as tuples, straight to the table: 314,000 model instances would cost more than the
    computation. PostgreSQL takes them by COPY, SQLite by executemany."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _median(values: np.ndarray) -> float | None:
    return float(np.median(values)) if len(values) else None


def diagnostic_watch(now: datetime.datetime | None = None) -> str:
    """Every few seconds (jobs' frequent work): queue a computation once the places have changed
    since the last one and stayed unchanged for DEBOUNCE, unless one is queued or running."""
    now = now or timezone.now()
    fingerprint = known_places_fingerprint()
    latest = Run.objects.order_by("-computed_at").first()
    if latest is not None and latest.fingerprint == fingerprint:
        return "up to date"
    if Job.objects.filter(kind=COMPUTE_JOB, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists():
        return "running"
    seen = cache.get(_SEEN_KEY)
    if seen is None or seen[0] != fingerprint:
        cache.set(_SEEN_KEY, (fingerprint, now), timeout=None)
        return "waiting"
    if now - seen[1] < DEBOUNCE:
        return "waiting"
    job_enqueue(kind=COMPUTE_JOB)
    return "queued"
