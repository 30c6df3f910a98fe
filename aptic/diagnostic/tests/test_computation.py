"""The diagnostic of Gironde and of Bordeaux Métropole against an independent computation: every
distance by brute-force haversine (numpy, every commune against every place), the counts and the
national medians recomputed here from the places and the communes, not through the app's code."""

import math
import statistics

import numpy as np
import pytest

from aptic.diagnostic.models import CommuneCoverage, NationalMedian, TerritoryFigures
from aptic.diagnostic.selectors import diagnostic, territory
from aptic.diagnostic.services import diagnostic_compute
from aptic.territories.models import Commune

from .places import BORDEAUX_METROPOLE, GIRONDE, build

RADIUS = 6371.0088


def haversine_km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * RADIUS * np.arcsin(np.sqrt(a))


def expected(world):
    """Per category: {commune code: km to the nearest place offering it (inf: none)} and the
    places offering it as (kind, commune code)."""
    communes = list(Commune.objects.filter(is_current=True).values_list("pk", "latitude", "longitude", "population"))
    lat = np.array([c[1] for c in communes])[:, None]
    lon = np.array([c[2] for c in communes])[:, None]
    places = [("reference", p) for p in world["references"]] + [("aptic", p) for p in world["aptic"]]
    result = {}
    for category in world["categories"]:
        offering = []
        for kind, place in places:
            ids = set(place.service_categories.values_list("pk", flat=True))
            if kind == "aptic":
                ids |= set(place.offers.filter(is_active=True).values_list("category_id", flat=True))
            if category.pk in ids:
                offering.append((kind, place))
        if offering:
            km = haversine_km(
                lat, lon, np.array([p.latitude for _, p in offering])[None, :],
                np.array([p.longitude for _, p in offering])[None, :],
            ).min(axis=1)  # fmt: skip
        else:
            km = np.full(len(communes), math.inf)
        result[category.pk] = ({c[0]: float(d) for c, d in zip(communes, km, strict=True)}, offering)
    return communes, result


def figures_of(codes, population, distances, offering, in_territory):
    people = sum(population[c] for c in codes)
    return {
        "population": people,
        "aptic": sum(1 for kind, p in offering if kind == "aptic" and in_territory(p.commune)),
        "reference": sum(1 for kind, p in offering if kind == "reference" and in_territory(p.commune)),
        **{f"beyond_{t}": sum(population[c] for c in codes if distances[c] > t) for t in (5, 10, 20)},
    }


@pytest.mark.django_db
def test_gironde_and_bordeaux_metropole_match_an_independent_computation(vocabulary):
    world = build()
    run = diagnostic_compute()
    communes, truth = expected(world)
    assert run.communes == len(communes) == 34875
    population = {c[0]: c[3] or 0 for c in communes}
    by_departement, by_epci = {}, {}
    for code, departement, epci in Commune.objects.filter(is_current=True).values_list(
        "pk", "departement_id", "epci_id"
    ):
        by_departement.setdefault(departement, []).append(code)
        if epci:
            by_epci.setdefault(epci, []).append(code)
    nowhere = world["nowhere"].pk
    for category, (distances, offering) in truth.items():
        stored = dict(CommuneCoverage.objects.filter(category_id=category).values_list("commune_id", "nearest_km"))
        for code in by_departement[GIRONDE]:
            if category == nowhere:
                assert stored[code] is None
            else:
                assert stored[code] == pytest.approx(distances[code], abs=1e-3), code
        for level, code, members in (
            ("departement", GIRONDE, by_departement[GIRONDE]),
            ("epci", BORDEAUX_METROPOLE, by_epci[BORDEAUX_METROPOLE]),
        ):
            within = set(members)
            want = figures_of(members, population, distances, offering, lambda c, w=within: c.pk in w)
            row = TerritoryFigures.objects.get(level=level, code=code, category_id=category)
            got = {
                "population": row.population, "aptic": row.aptic_places, "reference": row.reference_places,
                "beyond_5": row.beyond_5, "beyond_10": row.beyond_10, "beyond_20": row.beyond_20,
            }  # fmt: skip
            assert got == want, (level, category)
        # The national medians of the départements' and of the EPCIs' coverage (within 10 km).
        for level, groups in (("departement", by_departement), ("epci", by_epci)):
            shares = []
            for members in groups.values():
                people = sum(population[c] for c in members)
                if people:
                    shares.append(sum(population[c] for c in members if distances[c] <= 10) / people)
            median = NationalMedian.objects.get(level=level, category_id=category).coverage
            assert median == pytest.approx(statistics.median(shares), abs=1e-9)

    # What the page reads: Gironde's figures, its région's beside them, and the missing services.
    page = diagnostic(territory("departement", GIRONDE), world["categories"][0])
    assert page.parent.code == "75"  # Nouvelle-Aquitaine
    assert page.population == sum(population[c] for c in by_departement[GIRONDE])
    median = {m.category_id: m.coverage for m in NationalMedian.objects.filter(level="departement")}
    for line in page.lines:
        distances, offering = truth[line.category.pk]
        covered = sum(population[c] for c in by_departement[GIRONDE] if distances[c] <= 10) / page.population
        assert line.own.coverage == pytest.approx(covered)
        places_here = sum(1 for _, p in offering if p.commune.departement_id == GIRONDE)
        want = "aucun lieu" if not places_here else ("médiane" if covered < median[line.category.pk] else "")
        assert (want in line.missing) if want else line.missing == ""
    # The map: Gironde's communes, the farthest first.
    assert page.map_total == len(by_departement[GIRONDE])
    first_category = truth[world["categories"][0].pk][0]
    assert [c.code for c in page.map_communes[:5]] == sorted(
        by_departement[GIRONDE], key=lambda c: (-first_category[c], c)
    )[:5]
