"""The public map and search with 10,000 labelled places, beside raw SQL returning the same rows.

Setup (not timed): territories and vocabulary; 2,000 labelled providers (qualified, current charter
accepted, subscription in its free month) with 5 published places each, spread over France in
proportion to population, each with 1 to 4 offers; plus 500 hidden or unlabelled places that must
not show. Rows are bulk-inserted: the services' own speed is not what is measured here.

1. Map data. Platform: GET /lieux/carte.geojson through the Django test Client (middleware, the
   labelled subquery, .values() rows, JSON). Baseline: one raw SQL query through the DB-API cursor
   returning the same ids and coordinates (published places of labelled providers), fetched.
2. Filtered search: one service category within 30 km of Lyon. Platform: the list page
   (/lieux/?categorie=…&commune=69123&rayon=30, first page rendered) and the GeoJSON with the same
   filters. Baseline: raw SQL with the same bounding box and category subqueries, haversine in Python.

Each figure is the median of several runs after a warm-up.
"""

import datetime
import random
import re
import statistics
import time

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from aptic.accounts.models import Organisation, User
from aptic.places.geo import bounding_box, haversine_km
from aptic.places.models import Offer, OfferFormat, Place
from aptic.providers.models import CharterAcceptance, CharterVersion, Provider, Sponsorship, Subscription
from aptic.providers.selectors import current_charter
from aptic.territories.models import Commune
from aptic.territories.services import territories_load
from aptic.vocabulary.models import ServiceCategory
from aptic.vocabulary.services import vocabulary_load

PROVIDERS = 2_000
PLACES_PER_PROVIDER = 5
NOISE_PLACES = 500
RUNS = 7
SEARCH_COMMUNE = "69123"  # Lyon
SEARCH_RADIUS_KM = 30
GOAL_GEOJSON_SECONDS = 1.0


def _median(func, runs=RUNS):
    func()  # warm-up
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _setup(rng):
    territories_load()
    vocabulary_load()
    now = timezone.now()
    today = timezone.localdate()
    charter = current_charter() or CharterVersion.objects.create(
        version=1, title="Charte #APTIC", body="Texte.", published_at=now - datetime.timedelta(days=1)
    )
    signer = User.objects.create_user(email="bench@aptic.example", password=None)
    current = Commune.objects.filter(is_current=True).order_by("insee_code")  # same draw on every database
    communes = list(current.values_list("insee_code", "latitude", "longitude"))
    weights = list(current.values_list("population", flat=True))
    locations = rng.choices(
        communes, weights=[w or 1 for w in weights], k=PROVIDERS * PLACES_PER_PROVIDER + NOISE_PLACES
    )
    categories = list(ServiceCategory.objects.all())
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(kind="provider", name=f"Structure {n}", slug=f"bench-structure-{n}")
                for n in range(PROVIDERS + 1)
            ]
        )
        labelled, unlabelled = organisations[:PROVIDERS], organisations[PROVIDERS]
        providers = Provider.objects.bulk_create(
            [Provider(organisation=o, status="qualified", qualified_at=now) for o in labelled]
            + [Provider(organisation=unlabelled)]
        )
        CharterAcceptance.objects.bulk_create(
            [CharterAcceptance(provider=p, version=charter, accepted_by=signer) for p in providers[:PROVIDERS]]
        )
        Subscription.objects.bulk_create(
            [
                Subscription(
                    provider=p,
                    plan="monthly",
                    payment_method="transfer",
                    price_cents=700,
                    started_on=today,
                    trial_until=today + datetime.timedelta(days=30),
                )
                for p in providers[:PROVIDERS]
            ]
        )
        places = []
        owners = [o for o in labelled for _ in range(PLACES_PER_PROVIDER)]
        owners += [unlabelled] * (NOISE_PLACES // 2) + rng.sample(labelled, NOISE_PLACES // 2)
        for n, owner in enumerate(owners):
            code, lat, lng = locations[n]
            places.append(
                Place(
                    provider=owner,
                    name=f"Lieu {n}",
                    address=f"{n} rue de la République",
                    commune_id=code,
                    latitude=round(lat + rng.uniform(-0.01, 0.01), 6),
                    longitude=round(lng + rng.uniform(-0.014, 0.014), 6),
                    # The last half of the noise belongs to labelled providers but is hidden.
                    is_published=n < PROVIDERS * PLACES_PER_PROVIDER + NOISE_PLACES // 2,
                )
            )
        places = Place.objects.bulk_create(places, batch_size=2000)
        offers, declared = [], []
        for place in places:
            chosen = rng.sample(categories, k=rng.randint(1, 4))
            for index, term in enumerate(chosen):
                offers.append(
                    Offer(
                        place=place,
                        category=term,
                        title=f"Service {index}",
                        price_cents=rng.choice([0, 500, 1000, 1500, 2000]),
                        duration_minutes=rng.choice([30, 60, 90, 120]),
                        format=rng.choice(OfferFormat.values),
                    )
                )
            declared.append(Place.service_categories.through(place_id=place.pk, servicecategory_id=chosen[0].pk))
        Offer.objects.bulk_create(offers, batch_size=2000)
        Place.service_categories.through.objects.bulk_create(declared, batch_size=2000)
    if connection.vendor == "postgresql":
        # Fresh statistics for what this benchmark filled, as autovacuum would give a live
        # database; not the others' tables, which it would leave planned as empty ones (the next
        # benchmarks of the run would scan them).
        models = (Organisation, User, Provider, Subscription, Sponsorship, CharterAcceptance, Place, Offer)
        tables = [model._meta.db_table for model in (*models, Place.service_categories.through)]
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))
    return charter, len(offers)


def _labelled_sql():
    """The labelled rule (ADR 0008) written by hand, as the baseline must return the same places."""
    q = connection.ops.quote_name
    return f"""
        SELECT pr.organisation_id FROM {q(Provider._meta.db_table)} pr
        JOIN {q(Subscription._meta.db_table)} s ON s.provider_id = pr.organisation_id
        WHERE pr.status = 'qualified'
          AND EXISTS (SELECT 1 FROM {q(CharterAcceptance._meta.db_table)} ca
                      WHERE ca.provider_id = pr.organisation_id AND ca.version_id = %s)
          AND (s.cancelled_on IS NULL OR s.cancelled_on > %s)
          AND (s.trial_until >= %s OR s.covered_until >= %s OR s.payment_method = 'netting'
               OR EXISTS (SELECT 1 FROM {q(Sponsorship._meta.db_table)} sp
                          WHERE sp.provider_id = pr.organisation_id AND sp.starts_on <= %s AND sp.ends_on >= %s))
    """


def _raw_map(charter_id, today):
    q = connection.ops.quote_name
    sql = (
        f"SELECT p.id, p.longitude, p.latitude FROM {q(Place._meta.db_table)} p "
        f"WHERE p.is_published = %s AND p.provider_id IN ({_labelled_sql()})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, charter_id, today, today, today, today, today])
        return cursor.fetchall()


def _raw_search(charter_id, today, category_id, lat, lng, radius):
    q = connection.ops.quote_name
    box = bounding_box(lat, lng, radius)
    (low, high), *_ = box.lng_ranges
    place_table = q(Place._meta.db_table)
    offers = q(Offer._meta.db_table)
    declared = q(Place.service_categories.through._meta.db_table)
    sql = (
        f"SELECT p.id, p.latitude, p.longitude FROM {place_table} p "
        f"WHERE p.is_published = %s AND p.provider_id IN ({_labelled_sql()}) "
        "AND p.latitude BETWEEN %s AND %s AND p.longitude BETWEEN %s AND %s "
        f"AND (p.id IN (SELECT place_id FROM {declared} WHERE servicecategory_id = %s) "
        f"     OR p.id IN (SELECT place_id FROM {offers} WHERE is_active = %s AND category_id = %s))"
    )
    params = [True, charter_id, today, today, today, today, today, box.min_lat, box.max_lat, low, high]
    params += [category_id, True, category_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    hits = [(haversine_km(lat, lng, r[1], r[2]), r[0]) for r in rows]
    return sorted(hit for hit in hits if hit[0] <= radius)


def run():
    rng = random.Random(2026)
    started = time.perf_counter()
    charter, offer_count = _setup(rng)
    setup = time.perf_counter() - started
    today = timezone.localdate()
    client = Client()
    public = PROVIDERS * PLACES_PER_PROVIDER

    def platform_map():
        response = client.get("/lieux/carte.geojson")
        assert response.status_code == 200
        return response.content

    platform, body = _median(platform_map)
    raw, rows = _median(lambda: _raw_map(charter.pk, today))
    assert body.count(b'"Feature"') == len(rows) == public, (body.count(b'"Feature"'), len(rows))
    verdict = "OK" if platform < GOAL_GEOJSON_SECONDS else "TOO SLOW"
    print(f"places map: {public} public places ({len(body) / 1e6:.1f} MB of GeoJSON), {offer_count} offers")
    print(f"  setup (bulk inserts, not measured)   {setup:7.2f} s")
    goal = f"(goal < {GOAL_GEOJSON_SECONDS:.0f} s: {verdict})"
    print(f"  platform GET /lieux/carte.geojson    {platform * 1000:7.1f} ms   {goal}")
    print(f"  raw SQL, same ids and coordinates    {raw * 1000:7.1f} ms")
    print(f"  ratio platform / raw                 {platform / raw:7.2f}x")

    lyon = Commune.objects.get(insee_code=SEARCH_COMMUNE)
    term = ServiceCategory.objects.get(standard_value="Aide aux démarches administratives")
    query = {"categorie": term.code, "commune": SEARCH_COMMUNE, "rayon": str(SEARCH_RADIUS_KM)}

    def platform_list():
        response = client.get("/lieux/", query)
        assert response.status_code == 200
        return response.content.decode()

    def platform_geojson():
        response = client.get("/lieux/carte.geojson", query)
        assert response.status_code == 200
        return response.content

    page, html = _median(platform_list)
    listed = int(re.search(r"<strong>(\d+) lieux?</strong>", html).group(1))
    geo, geo_body = _median(platform_geojson)
    raw_search, hits = _median(lambda: _raw_search(charter.pk, today, term.pk, lyon.latitude, lyon.longitude, 30))
    assert geo_body.count(b'"Feature"') == len(hits) == listed
    print(f"filtered search: '{term.label}' within {SEARCH_RADIUS_KM} km of {lyon.name}: {len(hits)} places")
    print(f"  platform list page (first 20)        {page * 1000:7.1f} ms")
    print(f"  platform GeoJSON, same filters       {geo * 1000:7.1f} ms")
    print(f"  raw SQL + haversine baseline         {raw_search * 1000:7.1f} ms")
    print(f"  ratio GeoJSON / raw                  {geo / raw_search:7.2f}x")
    print(f"  ratio list page / raw                {page / raw_search:7.2f}x")
