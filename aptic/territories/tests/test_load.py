"""Loading the territories: what the full load holds, and how loading again behaves."""

import re
import shutil
from functools import partial
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from aptic.core.models import ReferenceDataset
from aptic.territories.models import Commune, Departement, Epci, PostalCode, Region
from aptic.territories.normalise import normalise_name
from aptic.territories.selectors import search_communes
from aptic.territories.services import DATASET, territories_load

pytestmark = pytest.mark.django_db

FULL_COUNTS = {"regions": 18, "departements": 101, "epcis": 1255, "communes": 34875}


# What a commune takes from its row of the CSV.
FROM_CSV = (
    "insee_code",
    "name",
    "departement_id",
    "region_id",
    "epci_id",
    "population",
    "latitude",
    "longitude",
    "postal_codes",
)


def _commune_snapshot():
    return list(Commune.objects.order_by("insee_code").values_list(*FROM_CSV, "search_name", "is_current"))


def _counts():
    return {
        "regions": Region.objects.count(),
        "departements": Departement.objects.count(),
        "epcis": Epci.objects.count(),
        "communes": Commune.objects.count(),
        "current": Commune.objects.filter(is_current=True).count(),
        "postal_codes": PostalCode.objects.count(),
    }


# --- 1. The full load --------------------------------------------------------------------------------


def test_full_load_holds_every_commune_of_the_data_file(communes_csv):
    assert len(communes_csv) == 34875
    assert Commune.objects.count() == len(communes_csv)
    assert Commune.objects.filter(is_current=True).count() == len(communes_csv)
    assert set(Commune.objects.values_list("insee_code", flat=True)) == set(communes_csv)


def test_full_load_counts_regions_departements_and_epcis():
    assert Region.objects.count() == FULL_COUNTS["regions"]
    assert Departement.objects.count() == FULL_COUNTS["departements"]
    assert Epci.objects.count() == FULL_COUNTS["epcis"]
    dataset = ReferenceDataset.objects.get(name=DATASET)
    assert dataset.rows == FULL_COUNTS["communes"]
    assert len(dataset.checksum) == 64


def test_every_commune_has_valid_coordinates():
    assert not Commune.objects.filter(latitude__isnull=True).exists()
    assert not Commune.objects.filter(longitude__isnull=True).exists()
    coordinates = list(Commune.objects.values_list("latitude", "longitude"))
    assert all(-90 <= lat <= 90 and -180 <= lng <= 180 for lat, lng in coordinates)
    # France, overseas included, lies between Réunion/Mayotte (~-21°) and Dunkirk (~51°),
    # Guadeloupe/Guyane (~-62°) and Réunion (~56°); (0, 0) would be a missing value.
    assert all(-22 < lat < 52 and -62 < lng < 56 for lat, lng in coordinates)
    assert (0.0, 0.0) not in coordinates


@pytest.mark.parametrize(
    ("insee_code", "name", "departement", "region"),
    [
        ("75056", "Paris", "75", "11"),
        ("69123", "Lyon", "69", "84"),
        ("13055", "Marseille", "13", "93"),
        ("2A004", "Ajaccio", "2A", "94"),
        ("97411", "Saint-Denis", "974", "04"),
        ("42218", "Saint-Étienne", "42", "84"),
    ],
)
def test_well_known_communes_are_loaded(insee_code, name, departement, region):
    commune = Commune.objects.get(insee_code=insee_code)
    assert commune.name == name
    assert commune.departement_id == departement
    assert commune.region_id == region
    assert commune.is_current


def test_overseas_commune_has_southern_hemisphere_coordinates():
    saint_denis = Commune.objects.get(insee_code="97411")
    assert saint_denis.departement.name == "La Réunion"
    assert saint_denis.region.name == "La Réunion"
    assert -21.5 < saint_denis.latitude < -20.5
    assert 55 < saint_denis.longitude < 56


def test_each_commune_matches_its_csv_row(communes_csv):
    rows = Commune.objects.values_list(*FROM_CSV)
    mismatches = []
    for code, name, dep, reg, epci, population, lat, lng, postal_codes in rows:
        expected = communes_csv[code]
        actual = (name, dep, reg, epci or "", str(population), lat, lng, postal_codes)
        wanted = (
            expected["name"],
            expected["departement_code"],
            expected["region_code"],
            expected["epci_siren"],
            expected["population"],
            float(expected["latitude"]),
            float(expected["longitude"]),
            expected["postal_codes"],
        )
        if actual != wanted:
            mismatches.append((code, actual, wanted))
    assert mismatches == []


def test_commune_region_is_the_region_of_its_departement():
    assert not Commune.objects.exclude(region_id=F("departement__region_id")).exists()


def test_communes_without_intercommunality_are_the_four_islands():
    assert set(Commune.objects.filter(epci__isnull=True).values_list("insee_code", flat=True)) == {
        "22016",  # Île-de-Bréhat
        "29083",  # Île-de-Sein
        "29155",  # Ouessant
        "85113",  # L'Île-d'Yeu
    }


def test_search_names_and_postal_code_rows_are_derived_from_the_names_and_codes(communes_csv):
    bad = [
        (code, search_name)
        for code, name, search_name in Commune.objects.values_list("insee_code", "name", "search_name")
        if search_name != normalise_name(name)
    ]
    assert bad == []
    assert PostalCode.objects.count() == sum(len(row["postal_codes"].split()) for row in communes_csv.values())
    assert sorted(PostalCode.objects.filter(commune_id="42218").values_list("code", flat=True)) == [
        "42000",
        "42100",
        "42230",
    ]


# --- 2. Loading again ---------------------------------------------------------------------------------


def test_second_load_does_nothing():
    before_counts = _counts()
    before_communes = _commune_snapshot()
    before_postal_codes = sorted(PostalCode.objects.values_list("id", "code", "commune_id"))
    before_dataset = ReferenceDataset.objects.values().get(name=DATASET)

    with CaptureQueriesContext(connection) as queries:
        report = territories_load()

    assert report.loaded is False
    assert report.communes == FULL_COUNTS["communes"]
    writes = [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", q["sql"], re.IGNORECASE)]
    assert writes == []
    assert _counts() == before_counts
    assert _commune_snapshot() == before_communes
    assert sorted(PostalCode.objects.values_list("id", "code", "commune_id")) == before_postal_codes
    assert ReferenceDataset.objects.values().get(name=DATASET) == before_dataset


def test_forced_load_reloads_with_the_same_counts():
    before_counts = _counts()
    before_communes = _commune_snapshot()

    report = territories_load(force=True)

    assert report.loaded is True
    assert {key: getattr(report, key) for key in FULL_COUNTS} == FULL_COUNTS
    assert report.retired == 0
    assert _counts() == before_counts
    assert _commune_snapshot() == before_communes


def test_load_command_says_in_french_that_the_territories_are_up_to_date():
    out = StringIO()
    call_command("load_territories", stdout=out)
    assert out.getvalue() == "Territoires déjà à jour (34875 communes).\n"


# A small hand-made geography, written to a temporary folder: the real files are never touched.
REGIONS = """\
code,name
84,Auvergne-Rhône-Alpes
"""
DEPARTEMENTS = """\
code,name,region_code
42,Loire,84
69,Rhône,84
"""
EPCIS = """\
siren,name,nature
244200770,Saint-Étienne Métropole,METRO
200046977,Métropole de Lyon,MET69
"""
COMMUNE_HEADER = "insee_code,name,departement_code,region_code,epci_siren,population,latitude,longitude,postal_codes\n"
SAINT_ETIENNE = "42218,Saint-Étienne,42,84,244200770,173136,45.42410,4.36647,42000 42100 42230\n"
SAINT_CHAMOND = "42207,Saint-Chamond,42,84,244200770,35646,45.46870,4.50821,42400\n"
LYON = "69123,Lyon,69,84,200046977,519127,45.75418,4.84289,69001 69002 69003 69004 69005 69006 69007 69008 69009\n"


def _write_geography(folder, *communes):
    folder.mkdir()
    (folder / "regions.csv").write_text(REGIONS, encoding="utf-8")
    (folder / "departements.csv").write_text(DEPARTEMENTS, encoding="utf-8")
    (folder / "epcis.csv").write_text(EPCIS, encoding="utf-8")
    (folder / "communes.csv").write_text(COMMUNE_HEADER + "".join(communes), encoding="utf-8")
    return folder


def test_commune_removed_from_the_files_is_kept_but_retired(tmp_path, client):
    with_lyon = _write_geography(tmp_path / "v1", SAINT_ETIENNE, SAINT_CHAMOND, LYON)
    without_lyon = _write_geography(tmp_path / "v2", SAINT_ETIENNE, SAINT_CHAMOND)

    first = territories_load(data_dir=with_lyon)
    # Changed files are loaded without force; every real commune absent from them is retired.
    assert first.loaded is True
    assert (first.regions, first.departements, first.epcis, first.communes) == (1, 2, 2, 3)
    assert first.retired == FULL_COUNTS["communes"] - 3
    assert [c.insee_code for c in search_communes("lyon")] == ["69123"]

    second = territories_load(data_dir=without_lyon)

    assert second.loaded is True
    assert second.communes == 2
    assert second.retired == 1
    lyon = Commune.objects.get(insee_code="69123")
    assert lyon.is_current is False
    assert lyon.name == "Lyon"
    assert lyon.postal_codes.startswith("69001")
    assert Commune.objects.count() == FULL_COUNTS["communes"]
    assert set(Commune.objects.filter(is_current=True).values_list("insee_code", flat=True)) == {"42218", "42207"}
    # No longer found by name nor by postal code, neither by the selector nor by the endpoint.
    assert search_communes("lyon") == []
    assert search_communes("69001") == []
    assert not PostalCode.objects.filter(commune_id="69123").exists()
    response = client.get("/territoires/communes/recherche/", {"q": "Lyon"})
    assert response.status_code == 200
    assert response.json() == {"results": []}
    assert [c.insee_code for c in search_communes("st etienne")] == ["42218"]
    # Its page still answers, saying it left the official geography.
    page = client.get("/territoires/communes/69123/")
    assert page.status_code == 200
    assert "n&#x27;existe plus" in page.content.decode() or "n'existe plus" in page.content.decode()

    # Loading the same files again does nothing.
    assert territories_load(data_dir=without_lyon).loaded is False


def test_retired_count_is_the_number_of_communes_that_left(tmp_path):
    """A commune coming back must not be subtracted from the ones leaving (regression: it used to be the
    net change of retired communes, -1 here)."""
    with_lyon = _write_geography(tmp_path / "v1", SAINT_ETIENNE, SAINT_CHAMOND, LYON)
    without_lyon = _write_geography(tmp_path / "v2", SAINT_ETIENNE, SAINT_CHAMOND)
    lyon_without_saint_chamond = _write_geography(tmp_path / "v3", SAINT_ETIENNE, LYON)
    territories_load(data_dir=with_lyon)
    territories_load(data_dir=without_lyon)

    back = territories_load(data_dir=with_lyon)

    assert Commune.objects.get(insee_code="69123").is_current is True
    assert back.retired == 0

    swapped = territories_load(data_dir=lyon_without_saint_chamond)

    assert swapped.retired == 1
    assert Commune.objects.get(insee_code="42207").is_current is False


def test_changed_files_are_reloaded_without_force(tmp_path):
    folder = _write_geography(tmp_path / "v1", SAINT_ETIENNE, LYON)
    assert territories_load(data_dir=folder).loaded is True
    assert territories_load(data_dir=folder).loaded is False

    (folder / "communes.csv").write_text(
        COMMUNE_HEADER + SAINT_ETIENNE.replace("173136", "174000") + LYON, encoding="utf-8"
    )
    report = territories_load(data_dir=folder)

    assert report.loaded is True
    assert report.retired == 0
    assert Commune.objects.get(insee_code="42218").population == 174000


def test_copy_of_the_real_files_is_already_loaded(tmp_path, data_dir):
    """The checksum is about the content of the files, not where they are."""
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    assert territories_load(data_dir=copy).loaded is False


def test_load_command_reports_in_french_what_it_loaded(tmp_path, monkeypatch):
    with_lyon = _write_geography(tmp_path / "v1", SAINT_ETIENNE, SAINT_CHAMOND, LYON)
    without_lyon = _write_geography(tmp_path / "v2", SAINT_ETIENNE, SAINT_CHAMOND)
    territories_load(data_dir=with_lyon)
    command = "aptic.territories.management.commands.load_territories.territories_load"
    monkeypatch.setattr(command, partial(territories_load, data_dir=without_lyon))

    out = StringIO()
    call_command("load_territories", stdout=out)
    assert re.fullmatch(
        r"Territoires chargés en \d+\.\d s : 1 régions, 2 départements, 2 EPCI, 2 communes \(1 retirées\)\.\n",
        out.getvalue(),
    ), out.getvalue()

    out = StringIO()
    call_command("load_territories", stdout=out)
    assert out.getvalue() == "Territoires déjà à jour (2 communes).\n"

    out = StringIO()
    call_command("load_territories", "--force", stdout=out)
    assert out.getvalue().startswith("Territoires chargés en ")
    assert out.getvalue().endswith(" : 1 régions, 2 départements, 2 EPCI, 2 communes (0 retirées).\n")
