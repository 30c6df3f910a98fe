"""The territorial diagnostic France-wide (goal: 10 s), beside a brute-force baseline, and the
territory pages' p95 (goal: 200 ms).

Setup (not timed): territories and vocabulary; REFERENCE_PLACES synthetic reference places spread
over France in proportion to population, jittered around their commune's centre, each offering 1 to
4 of the 9 categories (bulk-inserted: the import's speed is not what is measured here).

1. Nearest place, 34,875 communes × 9 categories. Platform: compute.nearest (a KD-tree on unit-sphere
   vectors, scipy's cKDTree). Baseline: numpy haversine of every commune against every place
   offering the category, in blocks, its minimum. Both answers are compared.
2. The whole job, services.diagnostic_compute(): read the communes and known_places(), compute,
   replace the tables in one transaction.
3. Pages: GET of the diagnostic of France, a région, a département, an EPCI and a commune through
   the Django test Client, ROUNDS rounds after a warm-up; p95 over all of them.
"""

import random
import statistics
import time

import numpy as np
from django.db import transaction
from django.test import Client
from django.urls import reverse

from aptic.diagnostic.compute import nearest, unit_vectors
from aptic.diagnostic.services import diagnostic_compute
from aptic.places.geo import EARTH_RADIUS_KM
from aptic.places.models import ReferencePlace
from aptic.reporting.services import usage_refresh
from aptic.territories.models import Commune
from aptic.territories.services import territories_load
from aptic.vocabulary.models import ServiceCategory
from aptic.vocabulary.services import vocabulary_load

REFERENCE_PLACES = 20_000
GOAL_SECONDS = 10
PAGE_GOAL_MS = 200
ROUNDS = 8
BLOCK = 2_000  # communes per block of the brute force (a block × places matrix of floats)


def _places(communes, categories):
    rng = random.Random(16)
    chosen = rng.choices(communes, weights=[(c.population or 0) + 50 for c in communes], k=REFERENCE_PLACES)
    with transaction.atomic():
        ReferencePlace.objects.all().delete()
        rows = ReferencePlace.objects.bulk_create(
            [
                ReferencePlace(
                    source="bench",
                    source_id=str(n),
                    name=f"Lieu {n}",
                    commune=c,
                    latitude=max(-90, min(90, c.latitude + rng.uniform(-0.03, 0.03))),
                    longitude=c.longitude + rng.uniform(-0.03, 0.03),
                )  # fmt: skip
                for n, c in enumerate(chosen)
            ],
            batch_size=2_000,
        )
        through = ReferencePlace.service_categories.through
        links = [
            through(referenceplace_id=place.pk, servicecategory_id=category.pk)
            for place in rows
            for category in rng.sample(categories, rng.randint(1, 4))
        ]
        through.objects.bulk_create(links, batch_size=5_000)
    return rows


def _brute_force(lat, lon, place_lat, place_lon) -> np.ndarray:
    lat, lon, place_lat, place_lon = map(np.radians, (lat, lon, place_lat, place_lon))
    best = np.empty(len(lat))
    for start in range(0, len(lat), BLOCK):
        a_lat, a_lon = lat[start : start + BLOCK, None], lon[start : start + BLOCK, None]
        h = np.sin((place_lat - a_lat) / 2) ** 2
        h += np.cos(a_lat) * np.cos(place_lat) * np.sin((place_lon - a_lon) / 2) ** 2
        best[start : start + BLOCK] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h.min(axis=1)))
    return best


def _pages(communes):
    bordeaux = Commune.objects.get(pk="33063")
    urls = [
        reverse("diagnostic:france"),
        reverse("diagnostic:region", kwargs={"code": bordeaux.region_id}),
        reverse("diagnostic:departement", kwargs={"code": bordeaux.departement_id}),
        reverse("diagnostic:epci", kwargs={"code": bordeaux.epci_id}),
        reverse("diagnostic:commune", kwargs={"code": bordeaux.pk}),
        reverse("diagnostic:departement", kwargs={"code": "59"}) + "?categorie=" + ServiceCategory.objects.last().code,
    ]
    client = Client()
    times = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    for _ in range(ROUNDS):
        for url in urls:
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return times


def run():
    territories_load()
    vocabulary_load()
    communes = list(Commune.objects.filter(is_current=True).order_by("pk"))
    categories = list(ServiceCategory.objects.filter(is_active=True))
    places = _places(communes, categories)
    usage_refresh()  # the usage watermarks a running platform has (the pages read past them)
    links = {}
    for place_id, category_id in ReferencePlace.service_categories.through.objects.values_list(
        "referenceplace_id", "servicecategory_id"
    ):
        links.setdefault(category_id, []).append(place_id)
    index = {p.pk: i for i, p in enumerate(places)}
    lat = np.array([c.latitude for c in communes])
    lon = np.array([c.longitude for c in communes])
    place_lat = np.array([p.latitude for p in places])
    place_lon = np.array([p.longitude for p in places])
    print(f"  diagnostic: {len(communes):,} communes × {len(categories)} categories, {len(places):,} places")

    started = time.perf_counter()
    origins = unit_vectors(lat, lon)
    targets = unit_vectors(place_lat, place_lon)
    tree_km = {}
    for category in categories:
        chosen = [index[pk] for pk in links.get(category.pk, [])]
        tree_km[category.pk], _ = nearest(origins, targets[chosen])
    tree_seconds = time.perf_counter() - started

    started = time.perf_counter()
    brute_km = {}
    for category in categories:
        chosen = [index[pk] for pk in links.get(category.pk, [])]
        brute_km[category.pk] = _brute_force(lat, lon, place_lat[chosen], place_lon[chosen])
    brute_seconds = time.perf_counter() - started
    worst = max(float(np.max(np.abs(tree_km[k] - brute_km[k]))) for k in tree_km)
    print(f"    nearest place, KD-tree:       {tree_seconds:7.2f} s")
    print(f"    nearest place, brute force:   {brute_seconds:7.2f} s  (ratio {brute_seconds / tree_seconds:.0f}×)")
    print(f"    largest difference between the two: {worst * 1000:.3f} m")

    started = time.perf_counter()
    computed = diagnostic_compute()
    job_seconds = time.perf_counter() - started
    verdict = "met" if job_seconds <= GOAL_SECONDS else "MISSED"
    print(f"    whole job (read, compute, store {computed.communes * len(categories):,} rows): "
          f"{job_seconds:.2f} s — goal {GOAL_SECONDS} s {verdict}")  # fmt: skip

    times = sorted(_pages(communes))
    p95 = times[int(0.95 * (len(times) - 1))]
    verdict = "met" if p95 <= PAGE_GOAL_MS else "MISSED"
    print(f"    territory pages: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms "
          f"over {len(times)} — goal {PAGE_GOAL_MS} ms {verdict}")  # fmt: skip
