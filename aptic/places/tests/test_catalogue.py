"""The public catalogue (aptic.directory, tested on the places reference data): only labelled providers'
published places, filters, distances, the map."""

import gzip
import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from aptic.core.tests.factories import OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.places.geo import haversine_km
from aptic.providers.models import Subscription
from aptic.territories.models import Commune
from aptic.vocabulary.models import PlaceTypology, Public

from .factories import OfferFactory, PlaceFactory, category, commune, label, labelled_place

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("directory:catalogue")
GEOJSON = reverse("directory:geojson")


def names(response) -> list[str]:
    """Place names in the result list, in order."""
    html = text(response)
    return re.findall(r'<li class="place-card">\s*<h3><a href="/lieux/\d+/">([^<]+)</a></h3>', html)


def features(response) -> dict:
    return {f["properties"]["name"]: f for f in json.loads(response.content)["features"]}


@pytest.fixture
def places(db):
    """Labelled places at Saint-Étienne, Firminy (7 km), Montbrison (33 km), Lyon (50 km) and Paris,
    and places that must never be public."""
    provider = OrganisationFactory(kind="provider", name="Réseau des médiathèques")
    label(provider)
    made = {}
    for name, code in [
        ("Médiathèque de Tarentaize", "42218"),
        ("Espace numérique de Firminy", "42095"),
        ("Fablab de Montbrison", "42147"),
        ("Tiers-lieu lyonnais", "69123"),
        ("EPN parisien", "75056"),
    ]:
        made[name] = PlaceFactory(provider=provider, name=name, commune=commune(code))
    made["Lieu masqué"] = PlaceFactory(provider=provider, name="Lieu masqué", is_published=False)
    unlabelled = OrganisationFactory(kind="provider", name="Structure non labellisée")
    made["Lieu d'une structure non labellisée"] = PlaceFactory(
        provider=unlabelled, name="Lieu d'une structure non labellisée"
    )
    return made


def test_only_published_places_of_labelled_providers_are_listed(client, places):
    response = client.get(CATALOGUE)
    assert response.status_code == 200
    listed = names(response)
    assert sorted(listed) == sorted(
        [
            "EPN parisien",
            "Espace numérique de Firminy",
            "Fablab de Montbrison",
            "Médiathèque de Tarentaize",
            "Tiers-lieu lyonnais",
        ]
    )
    assert listed == sorted(listed)  # by name without a point
    assert "5 lieux" in text(response) and "dans toute la France" in text(response)
    geo = features(client.get(GEOJSON))
    assert sorted(geo) == sorted(listed)
    assert client.get(reverse("directory:detail", kwargs={"pk": places["Lieu masqué"].pk})).status_code == 404
    hidden = places["Lieu d'une structure non labellisée"]
    assert client.get(reverse("directory:detail", kwargs={"pk": hidden.pk})).status_code == 404


def test_a_lapsed_subscription_takes_the_places_off(client, places):
    Subscription.objects.update(trial_until="2000-02-01", started_on="2000-01-01")
    assert names(client.get(CATALOGUE)) == []
    assert features(client.get(GEOJSON)) == {}
    place = places["Médiathèque de Tarentaize"]
    assert client.get(reverse("directory:detail", kwargs={"pk": place.pk})).status_code == 404


def test_geojson_is_a_valid_feature_collection_in_lng_lat_order(client, places):
    response = client.get(GEOJSON)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    paris = places["EPN parisien"]
    feature = features(response)["EPN parisien"]
    assert feature["type"] == "Feature"
    assert feature["id"] == paris.pk
    coordinates = [round(paris.longitude, 5), round(paris.latitude, 5)]
    assert feature["geometry"] == {"type": "Point", "coordinates": coordinates}
    assert feature["geometry"]["coordinates"][0] == pytest.approx(2.34561)  # longitude first
    assert feature["properties"] == {"name": "EPN parisien", "commune": "Paris", "url": f"/lieux/{paris.pk}/"}


def test_search_around_a_commune_sorts_by_distance_within_the_radius(client, places):
    response = client.get(CATALOGUE, {"commune": "Saint-Étienne (42000) – 42218", "rayon": "40"})
    assert response.status_code == 200
    assert names(response) == ["Médiathèque de Tarentaize", "Espace numérique de Firminy", "Fablab de Montbrison"]
    html = text(response)
    assert "3 lieux" in html and "à moins de 40 km de Saint-Étienne" in html
    assert "à moins de 100\u00a0m" in html and "à 7,6\u00a0km" in html and "à 30\u00a0km" in html
    assert '<option value="40" selected>40 km</option>' in html  # a distance outside the usual ones stays
    geo = features(client.get(GEOJSON, {"commune": "42218", "rayon": "40"}))
    assert sorted(geo) == sorted(names(response))
    assert geo["Espace numérique de Firminy"]["properties"]["distance_km"] == pytest.approx(7.6, abs=0.1)
    wider = names(client.get(CATALOGUE, {"commune": "Saint-Étienne", "rayon": "60"}))
    assert wider[-1] == "Tiers-lieu lyonnais" and len(wider) == 4


def test_radius_boundary_uses_the_exact_distance(client, places):
    saint_etienne, montbrison = commune("42218"), commune("42147")
    distance = haversine_km(saint_etienne.latitude, saint_etienne.longitude, montbrison.latitude, montbrison.longitude)
    assert 30 < distance < 31
    assert "Fablab de Montbrison" not in names(client.get(CATALOGUE, {"commune": "42218", "rayon": "30"}))
    assert "Fablab de Montbrison" in names(client.get(CATALOGUE, {"commune": "42218", "rayon": "31"}))


def test_search_in_a_commune_only_without_a_radius(client, places):
    response = client.get(CATALOGUE, {"commune": "Firminy", "rayon": ""})
    assert names(response) == ["Espace numérique de Firminy"]
    assert "à Firminy" in text(response)


def test_search_by_postal_code(client, places):
    assert names(client.get(CATALOGUE, {"commune": "42000"})) == ["Médiathèque de Tarentaize"]
    assert names(client.get(CATALOGUE, {"commune": "75011"})) == ["EPN parisien"]


def test_postal_code_shared_by_several_communes(client, places):
    # 42140 serves several small communes of the Monts du Lyonnais: all of them are searched.
    communes_42140 = list(
        Commune.objects.filter(postal_code_rows__code="42140", is_current=True).distinct().order_by("name")
    )
    assert len(communes_42140) > 1
    provider = places["Médiathèque de Tarentaize"].provider
    PlaceFactory(provider=provider, name="Relais rural", commune=communes_42140[0])
    PlaceFactory(provider=provider, name="Point numérique", commune=communes_42140[1])
    response = client.get(CATALOGUE, {"commune": "42140"})
    assert response.status_code == 200
    assert names(response) == ["Point numérique", "Relais rural"]
    assert "dans le code postal 42140" in text(response)
    around = names(client.get(CATALOGUE, {"commune": "42140", "rayon": "100"}))
    assert {"Point numérique", "Relais rural", "Médiathèque de Tarentaize"} <= set(around)


def test_around_me_with_the_browsers_position(client, places):
    firminy = commune("42095")
    response = client.get(CATALOGUE, {"lat": f"{firminy.latitude:.3f}", "lng": f"{firminy.longitude:.3f}"})
    assert response.status_code == 200
    # Without a radius, 10 km around the position.
    assert names(response) == ["Espace numérique de Firminy", "Médiathèque de Tarentaize"]
    assert "à moins de 10 km de votre position" in text(response)
    far = names(client.get(CATALOGUE, {"lat": "45.38", "lng": "4.29", "rayon": "100"}))
    assert far[:2] == ["Espace numérique de Firminy", "Médiathèque de Tarentaize"] and "EPN parisien" not in far
    geo = features(client.get(GEOJSON, {"lat": "45.38", "lng": "4.29"}))
    assert sorted(geo) == ["Espace numérique de Firminy", "Médiathèque de Tarentaize"]


def test_a_typed_commune_wins_over_an_old_position(client, places):
    response = client.get(CATALOGUE, {"commune": "Paris", "rayon": "10", "lat": "45.38", "lng": "4.29"})
    assert names(response) == ["EPN parisien"]


def test_filter_by_category_declared_or_offered(client, places):
    demarches = category("Aide aux démarches administratives")
    loisirs = category("Loisirs et créations numériques")
    places["Fablab de Montbrison"].service_categories.add(loisirs)
    OfferFactory(place=places["Tiers-lieu lyonnais"], category=loisirs)
    OfferFactory(place=places["EPN parisien"], category=loisirs, is_active=False)  # withdrawn: not counted
    OfferFactory(place=places["Médiathèque de Tarentaize"], category=demarches)
    response = client.get(CATALOGUE, {"categorie": loisirs.code})
    assert names(response) == ["Fablab de Montbrison", "Tiers-lieu lyonnais"]
    assert sorted(features(client.get(GEOJSON, {"categorie": loisirs.code}))) == names(response)
    # Category and distance together.
    assert names(client.get(CATALOGUE, {"categorie": loisirs.code, "commune": "42218", "rayon": "40"})) == [
        "Fablab de Montbrison"
    ]


def test_filter_by_typology_public_format_and_aptic(client, places):
    bib = PlaceTypology.objects.get(standard_value="BIB")
    seniors = Public.objects.get(standard_value="Seniors")
    places["Médiathèque de Tarentaize"].typologies.add(bib)
    places["Fablab de Montbrison"].publics.add(seniors)
    offer = OfferFactory(place=places["Tiers-lieu lyonnais"], format="group", accepts_aptic=False)
    offer.publics.add(seniors)
    OfferFactory(place=places["EPN parisien"], format="remote", accepts_aptic=True)
    assert names(client.get(CATALOGUE, {"typologie": bib.code})) == ["Médiathèque de Tarentaize"]
    assert names(client.get(CATALOGUE, {"public": seniors.code})) == ["Fablab de Montbrison", "Tiers-lieu lyonnais"]
    assert names(client.get(CATALOGUE, {"format": "group"})) == ["Tiers-lieu lyonnais"]
    assert names(client.get(CATALOGUE, {"format": "remote", "aptic": "on"})) == ["EPN parisien"]
    assert names(client.get(CATALOGUE, {"aptic": "on"})) == ["EPN parisien"]
    assert sorted(features(client.get(GEOJSON, {"public": seniors.code}))) == [
        "Fablab de Montbrison",
        "Tiers-lieu lyonnais",
    ]


def test_results_show_commune_categories_and_price_range(client, places):
    place = places["Médiathèque de Tarentaize"]
    OfferFactory(place=place, price_cents=0, category=category("Aide aux démarches administratives"))
    OfferFactory(place=place, price_cents=1500, category=category("Loisirs et créations numériques"))
    OfferFactory(place=place, price_cents=9900, is_active=False)
    OfferFactory(place=places["Espace numérique de Firminy"], price_cents=1000)
    html = text(client.get(CATALOGUE, {"commune": "42218", "rayon": "10"}))
    assert "42000 Saint-Étienne" in html
    assert "Prix : Gratuit à 15 €" in html
    assert "Prix : 10 €" in html
    assert "Aide aux démarches administratives" in html and "Loisirs et créations numériques" in html


def test_results_are_paginated(client, places):
    provider = places["Médiathèque de Tarentaize"].provider
    for n in range(45):
        PlaceFactory(provider=provider, name=f"Antenne {n:02d}", commune=commune("42095"))
    first = client.get(CATALOGUE)
    assert len(names(first)) == 20
    assert "page 1 sur 3" in text(first)
    assert names(client.get(CATALOGUE, {"page": "3"}))[-1] == "Tiers-lieu lyonnais"
    near = client.get(CATALOGUE, {"commune": "42218", "rayon": "10", "page": "3"})
    assert len(names(near)) == 7  # 45 antennas, Firminy and Saint-Étienne within 10 km: 20 + 20 + 7
    html = text(near)
    assert "commune=42218&amp;rayon=10&amp;page=2" in near.content.decode()
    assert "Page 3 sur 3" in html
    for page in ["abc", "-1", "0", "99999", "1" * 30]:
        assert client.get(CATALOGUE, {"page": page}).status_code == 200


def test_labelled_place_helper_is_public(client, db):
    place = labelled_place(name="Seul lieu")
    assert names(client.get(CATALOGUE)) == ["Seul lieu"]
    assert client.get(reverse("directory:detail", kwargs={"pk": place.pk})).status_code == 200


@override_settings(
    APTIC_MAP_TILE_URL="https://tuiles.exemple.fr/{z}/{x}/{y}.png", APTIC_MAP_ATTRIBUTION="© Tuiles de test"
)
def test_map_uses_vendored_leaflet_and_the_tile_settings(client, places):
    response = client.get(CATALOGUE)
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/leaflet/leaflet.js" in assets
    assert "/static/vendor/leaflet/leaflet.css" in assets
    assert "/static/vendor/leaflet.markercluster/leaflet.markercluster.js" in assets
    assert "/static/vendor/leaflet.markercluster/MarkerCluster.css" in assets
    assert "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css" in assets
    assert "/static/places/map.js" in assets
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not src.startswith(("http://", "https://", "//")), src
    assert 'data-tiles="https://tuiles.exemple.fr/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="© Tuiles de test"' in html
    assert f'data-geojson="{GEOJSON}"' in html
    # The map is an enhancement: hidden until the script shows it; the list is its text alternative.
    assert "data-map-wrapper hidden" in html and 'aria-describedby="carte-aide"' in html
    for asset in assets:
        if asset.startswith("/static/"):
            assert client.get(asset).status_code == 200, asset
    script = b"".join(client.get("/static/places/map.js").streaming_content).decode()
    assert "tile.openstreetmap.org" not in script and "http" not in script.replace("https?", "")


def test_map_data_follows_the_search(client, places):
    html = client.get(CATALOGUE, {"commune": "42218", "rayon": "30", "format": ""}).content.decode()
    assert f'data-geojson="{GEOJSON}?commune=42218&amp;rayon=30&amp;format="' in html


@pytest.mark.parametrize(
    "query",
    [
        {"commune": "Lyon\x00"},
        {"commune": "\x00"},
        {"commune": "x" * 5000},
        {"q": "Lyon\x00"},
        {"rayon": "1000000"},
        {"rayon": "99999999999999999999999999"},
        {"rayon": "-5"},
        {"rayon": "0"},
        {"rayon": "abc"},
        {"rayon": "1e308"},
        {"lat": "abc", "lng": "4.3"},
        {"lat": "45.4"},
        {"lat": "nan", "lng": "nan"},
        {"lat": "inf", "lng": "4"},
        {"lat": "123", "lng": "4"},
        {"lat": "45", "lng": "-500"},
        {"categorie": "n-existe-pas"},
        {"categorie": "\x00"},
        {"typologie": "' OR 1=1 --"},
        {"public": "x" * 1000},
        {"format": "webinar"},
        {"aptic": "\x00"},
        {"page": "\x00"},
    ],
)
def test_hostile_query_strings_never_crash(client, places, query):
    response = client.get(CATALOGUE, query)
    assert response.status_code in (200, 400)
    geo = client.get(GEOJSON, query)
    assert geo.status_code in (200, 400)
    if geo.status_code == 400:
        assert "errors" in json.loads(geo.content)
    if response.status_code == 400:
        assert "La recherche n'a pas pu être faite" in text(response)


def test_invalid_bytes_in_the_query_string(client, places):
    for raw in ["commune=%ff%fe", "commune=%C0%AF", "rayon=%ff", "lat=%ff&lng=%00", "%ff=%ff"]:
        assert client.get(f"{CATALOGUE}?{raw}").status_code in (200, 400), raw
        assert client.get(f"{GEOJSON}?{raw}").status_code in (200, 400), raw


def test_bad_filters_give_french_messages(client, places):
    response = client.get(CATALOGUE, {"rayon": "-5"})
    assert response.status_code == 400
    assert "Choisissez une distance entre 1 et 200 km." in text(response)
    response = client.get(CATALOGUE, {"lat": "abc", "lng": "4"})
    assert response.status_code == 400
    assert "La position transmise n'est pas valide" in text(response)
    response = client.get(CATALOGUE, {"commune": "Nulle-Part-sur-Rien"})
    assert "Aucune commune ne correspond à « Nulle-Part-sur-Rien »." in text(response)
    assert "<title>Erreur : " in text(response)
    data = json.loads(client.get(GEOJSON, {"rayon": "-5"}).content)
    assert data == {"errors": {"rayon": ["Choisissez une distance entre 1 et 200 km."]}}


def test_the_catalogue_is_public_and_accessible(client, places):
    html = text(client.get(CATALOGUE))
    assert 'role="search"' in html
    assert '<label for="id_commune">Commune ou code postal\u00a0:</label>' in html
    assert '<label for="id_rayon">Distance\u00a0:</label>' in html
    assert '<legend class="visually-hidden">Affiner la recherche</legend>' in html
    assert "<summary>Affiner : service, type de lieu, public, format</summary>" in html
    assert '<details class="search-filters">' in html  # closed without filters
    assert '<details class="search-filters" open>' in text(client.get(CATALOGUE, {"format": "group"}))
    assert 'aria-label="Pages de résultats"' not in html  # one page only
    assert "Autour de moi" in html and "data-locate hidden" in html  # shown by the script only


def test_map_data_is_compressed_for_browsers_that_accept_it(client, places):
    response = client.get(GEOJSON, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b'{"type":"FeatureCollection"')


def test_list_and_map_queries_do_not_grow_with_the_places(client, places, django_assert_max_num_queries):
    provider = places["Médiathèque de Tarentaize"].provider
    for n in range(30):
        place = PlaceFactory(provider=provider, name=f"Antenne {n:02d}", commune=commune("42095"))
        OfferFactory(place=place)
        OfferFactory(place=place, category=category("Loisirs et créations numériques"))
    with django_assert_max_num_queries(15):
        assert client.get(CATALOGUE, {"commune": "42218", "rayon": "20"}).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(CATALOGUE).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(GEOJSON).status_code == 200
