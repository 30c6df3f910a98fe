"""Importing a file in the national standard: every row checked, all or nothing, French messages."""

import io
import json
import random
import zipfile

import pytest

from aptic.accounts.models import Organisation
from aptic.core.errors import DomainError
from aptic.opendata import reading, standard
from aptic.opendata.services import CREATED, ERROR, SKIPPED, TO_CREATE, places_import
from aptic.places.models import Place
from aptic.providers.models import Provider

from . import factories
from .helpers import DATA, EXAMPLE, EXAMPLE_SIRET, counts, csv_bytes, example_row

pytestmark = pytest.mark.django_db


def _import(data: bytes, filename: str = "lieux.csv", **kwargs):
    return places_import(data=data, filename=filename, **kwargs)


def _row(**changes) -> dict:
    row = example_row()
    row.update(changes)
    return row


def _valid_row(number: int, **changes) -> dict:
    """A row of its own (id, name) for the example's structure."""
    return _row(**{"id": f"lieu-{number}", "nom": f"Espace numérique {number}", **changes})


# The valid example of the standard


def test_the_example_of_the_standard_imports_cleanly():
    report = _import(EXAMPLE.read_bytes(), filename=EXAMPLE.name)

    assert not report.has_errors, report.errors
    assert (report.rows_total, report.places_created, report.providers_created, report.providers_found) == (1, 1, 1, 0)
    assert report.written and report.rows[0].status == CREATED
    organisation = Organisation.objects.get(kind="provider", siret=EXAMPLE_SIRET)
    assert organisation.name == "SIRET de la ville pour une bibliothèque."  # structure_parente
    assert organisation.legal_category == "association"  # from the typology ASSO
    assert organisation.provider.status == "pending"
    place = Place.objects.get(provider=organisation)
    assert (place.name, place.external_id, place.commune.name, place.postal_code) == (
        "Anonymal",
        "structure-1",
        "Reims",
        "51100",
    )
    assert (place.address, place.address_complement) == ("12 BIS RUE DE LECLERCQ", "Le patio du bois de l'Aulne")
    assert place.is_mobile
    # Its coordinates are in Aix-en-Provence, 645 km away: the place goes to the centre of Reims, with a warning.
    assert (place.latitude, place.longitude) == (place.commune.latitude, place.commune.longitude)
    assert any("645 km de Reims" in message for message in report.rows[0].warnings), report.rows[0].warnings
    assert (place.phone, place.email) == ("+33180059880", "contact@laquincaillerie.tl")  # first e-mail kept
    assert place.website == "https://www.laquincaillerie.tl/"  # first URL kept
    assert place.opening_hours == "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"
    assert place.booking_url == "https://www.rdv-solidarites.fr/"
    assert place.acceslibre_url.startswith("https://acceslibre.beta.gouv.fr/")
    assert place.source == "Hubik"
    assert sorted(place.typologies.values_list("standard_value", flat=True)) == ["ASSO", "TIERS_LIEUX"]
    assert set(place.service_categories.values_list("standard_value", flat=True)) == {
        "Maîtrise des outils numériques du quotidien",
        "Insertion professionnelle via le numérique",
        "Loisirs et créations numériques",
    }
    assert set(place.publics.values_list("standard_value", flat=True)) == {"Jeunes", "Femmes"}
    assert set(place.access_modes.values_list("standard_value", flat=True)) == {"Se présenter", "Téléphoner"}
    assert place.support_modes.count() == 4
    assert any("frais_a_charge" in warning for warning in report.warnings)


def test_importing_the_same_file_again_is_harmless():
    _import(EXAMPLE.read_bytes())
    before = counts()

    report = _import(EXAMPLE.read_bytes())

    assert counts() == before
    assert not report.has_errors
    assert (report.rows_skipped, report.places_created, report.providers_found) == (1, 0, 1)
    assert report.rows[0].status == SKIPPED and report.rows[0].status_label == "Déjà importé"
    assert any(message.startswith("Ligne 2 : déjà importé") for message in report.rows[0].messages)


def test_a_dry_run_checks_everything_and_writes_nothing():
    before = counts()

    report = _import(EXAMPLE.read_bytes(), dry_run=True)

    assert counts() == before
    assert not report.has_errors and not report.written
    assert report.places_created == 1 and report.rows[0].status == TO_CREATE
    assert report.summary.startswith("Vérification réussie") and "Rien n'a été enregistré" in report.summary


def test_a_known_siret_attaches_the_places_to_the_existing_provider():
    existing = factories.provider(name="Les Quincailleurs", labelled=False)
    rows = [_valid_row(1, pivot=existing.siret), _valid_row(2, pivot=existing.siret)]

    report = _import(csv_bytes(rows))

    assert not report.has_errors, report.errors
    assert (report.providers_found, report.providers_created, report.places_created) == (1, 0, 2)
    assert existing.places.count() == 2
    assert Organisation.objects.filter(siret=existing.siret).count() == 1


def test_rows_of_one_siret_make_one_provider_and_a_network_many():
    rows = [_valid_row(1), _valid_row(2), _valid_row(3, pivot=factories.siret(), structure_parente="")]

    report = _import(csv_bytes(rows))

    assert not report.has_errors, report.errors
    assert (report.providers_created, report.places_created) == (2, 3)
    # Without structure_parente, the structure is named after its place.
    assert Organisation.objects.filter(kind="provider", name="Espace numérique 3").exists()
    assert all(p.status == "pending" for p in Provider.objects.all())


# Encodings and delimiters, as spreadsheets write them


def test_a_windows_1252_file_with_semicolons_as_french_excel_writes_it():
    data = (DATA / "excel-windows-1252-point-virgule.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is in Windows-1252

    report = _import(data, filename="export-excel.csv")

    assert not report.has_errors, report.errors
    assert (report.encoding, report.delimiter) == ("Windows-1252", ";")
    assert report.places_created == 2
    mediatheque = Place.objects.get(name="Médiathèque Louise-Michel")
    assert mediatheque.commune.name == "Saint-Étienne" and mediatheque.postal_code == "42000"
    assert (mediatheque.latitude, mediatheque.longitude) == (45.4397, 4.3872)  # decimal commas
    assert mediatheque.summary == "Cœur de quartier : l’atelier numérique, pour tous les âges."
    assert mediatheque.phone == "+33477000000"
    assert set(mediatheque.service_categories.values_list("standard_value", flat=True)) == {
        "Aide aux démarches administratives",
        "Compréhension du monde numérique",
    }
    bus = Place.objects.get(name="Bus numérique des Monts du Forez")
    assert bus.is_mobile
    # No coordinates: the commune's position.
    assert (bus.latitude, bus.longitude) == (bus.commune.latitude, bus.commune.longitude)
    # Columns named in any case, an unknown column reported and ignored.
    assert any("Contact" in warning for warning in report.warnings)


def test_utf8_with_bom_and_utf16_are_read():
    data = EXAMPLE.read_bytes()
    report = _import(b"\xef\xbb\xbf" + data, dry_run=True)
    assert not report.has_errors and report.encoding == "UTF-8"
    report = _import(csv_bytes([example_row()], delimiter="\t", encoding="utf-16"), dry_run=True)
    assert not report.has_errors, report.errors
    assert (report.encoding, report.delimiter) == ("UTF-16", "\t")


def test_column_names_are_matched_whatever_their_case_and_spaces():
    columns = [column.upper().replace("_", " ") for column in standard.columns()]
    row = example_row()
    data = csv_bytes([{c.upper().replace("_", " "): row[c] for c in standard.columns()}], columns=columns)
    report = _import(data, dry_run=True)
    assert not report.has_errors, report.errors


def test_a_spreadsheet_that_ate_the_leading_zero_of_postal_and_insee_codes():
    row = _row(commune="Bourg-en-Bresse", code_postal="1000", code_insee="1053", latitude="", longitude="")
    report = _import(csv_bytes([row]))
    assert not report.has_errors, report.errors
    assert Place.objects.get().commune.insee_code == "01053"


def test_an_arrondissement_resolves_to_its_city_by_name_and_postal_code():
    row = _row(commune="Paris 15e Arrondissement", code_postal="75015", code_insee="75115", latitude="", longitude="")
    report = _import(csv_bytes([row]))
    assert not report.has_errors, report.errors
    place = Place.objects.get()
    assert (place.commune.insee_code, place.postal_code) == ("75056", "75015")


# Files that are no CSV of the standard: a French message, nothing written


def _xlsx() -> bytes:
    """A minimal spreadsheet in the Office Open XML format, as Excel saves it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")
    return buffer.getvalue()


FIFTY_MB = 50 * 1024 * 1024
NOT_CSV = {
    "50 Mo": (b"id,pivot\n" + b"a" * FIFTY_MB, "pèse 50,0 Mo : la limite est de 10 Mo"),
    "vide": (b"", "Le fichier est vide."),
    "blancs": (b"\xef\xbb\xbf  \r\n\r\n", "Le fichier est vide."),
    "PDF": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "Ce fichier est un PDF"),
    "PNG": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "Ce fichier est une image"),
    "aléatoire": (random.Random(3).randbytes(4096), "n'est pas un fichier texte CSV"),
    "JSON": (json.dumps([{"id": "a", "nom": "Lieu"}]).encode(), "Ce fichier est au format JSON"),
    "xlsx": (_xlsx(), "Ce fichier est un classeur"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "classeur Excel (.xls)"),
    "texte": (b"Bonjour,\nvoici la liste des lieux.\n", "aucune n'a été reconnue"),
    "en-tête seul": (",".join(standard.columns()).encode() + b"\r\n", "aucun lieu"),
    "colonnes manquantes": (
        csv_bytes([example_row()], columns=[c for c in standard.columns() if c not in ("pivot", "date_maj")]),
        "Colonnes obligatoires absentes de la ligne d'en-tête : pivot, date_maj.",
    ),
    "colonne en double": (csv_bytes([], columns=standard.columns() + ["Nom"]), "La colonne « nom » apparaît deux fois"),
    "en-tête démesuré": (b"id," * 100_000, "La ligne d'en-tête compte 100"),
    "guillemet non fermé": (
        csv_bytes([example_row()]) + b'"lieu-2","' + EXAMPLE_SIRET.encode() + b',"Sans fin\r\n',
        "mal formé vers la ligne 3",
    ),
}


@pytest.mark.parametrize("data, message", NOT_CSV.values(), ids=NOT_CSV.keys())
def test_a_file_that_is_not_a_csv_of_the_standard_is_refused_in_french(data, message):
    before = counts()

    with pytest.raises(DomainError) as refused:
        _import(data)

    assert message in refused.value.message
    assert refused.value.field == "file"
    assert counts() == before


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    with pytest.raises(DomainError, match="plus de 2 lieux : découpez-le"):
        _import(csv_bytes([_valid_row(1), _valid_row(2), _valid_row(3)]))
    assert not _import(csv_bytes([_valid_row(1), _valid_row(2)]), dry_run=True).has_errors


def test_a_lower_limit_of_rows_points_to_the_command():
    with pytest.raises(DomainError, match="plus de 1 lieux.*commande import_places"):
        _import(csv_bytes([_valid_row(1), _valid_row(2)]), max_rows=1)


# Rows in error: every message names the row and the column; nothing is written

ROW_ERRORS = {
    "commune inconnue": (
        {"commune": "Atlantis", "code_postal": "99999", "code_insee": ""},
        "Ligne 2, colonne commune : Aucune commune actuelle ne correspond à « Atlantis » (code postal 99999).",
    ),
    "code postal d'une autre commune": (
        {"code_postal": "42000"},
        "Ligne 2, colonne code_postal : Le code postal 42000 n'est pas celui de Reims",
    ),
    "code postal mal formé": ({"code_postal": "5110O"}, "Ligne 2, colonne code_postal : « 5110O » n'est pas"),
    "latitude impossible": ({"latitude": "123.4"}, "Ligne 2, colonne latitude : La latitude 123.4 est impossible"),
    "longitude impossible": ({"longitude": "-200"}, "Ligne 2, colonne longitude : La longitude -200 est impossible"),
    "latitude pas un nombre": ({"latitude": "N 45°"}, "Ligne 2, colonne latitude : « N 45° » n'est pas un nombre"),
    "latitude seule": ({"longitude": ""}, "Ligne 2, colonne latitude : Indiquez la latitude et la longitude"),
    "horaires": ({"horaires": "du lundi au vendredi 9h-12h"}, "Ligne 2, colonne horaires : Les horaires « du lundi"),
    "SIRET faux": ({"pivot": "43493312300028"}, "Ligne 2, colonne pivot : Le numéro SIRET « 43493312300028 »"),
    "SIREN": ({"pivot": "434933123"}, "Ligne 2, colonne pivot : « 434933123 » est un numéro SIREN"),
    "RNA": ({"pivot": "W751234567"}, "Ligne 2, colonne pivot : « W751234567 » est un numéro RNA"),
    "SIRET en notation scientifique": ({"pivot": "4,34933E+13"}, "Ligne 2, colonne pivot : « 4,34933E+13 » : le tab"),
    "typologie inconnue": (
        {"typologie": "TIERS_LIEUX|CYBERBASE"},
        "Ligne 2, colonne typologie : Valeur inconnue « CYB",
    ),
    "service inconnu": (
        {"services": "Cours de piano"},
        "Ligne 2, colonne services : Valeur inconnue « Cours de piano »",
    ),
    "public inconnu": (
        {"publics_specifiquement_adresses": "Jeunes|Retraités"},
        "Ligne 2, colonne publics_specifiquement_adresses : Valeur inconnue « Retraités »",
    ),
    "modalité inconnue": (
        {"modalites_acces": "Écrire"},
        "Ligne 2, colonne modalites_acces : Valeur inconnue « Écrire »",
    ),
    "itinérance": ({"itinerance": "Mobile"}, "Ligne 2, colonne itinerance : « Mobile » : indiquez Itinérant ou Fixe."),
    "résumé de 300 caractères": (
        {"presentation_resume": "x" * 300},
        "Ligne 2, colonne presentation_resume : La présentation résumée compte 300 caractères : 280 au plus.",
    ),
    "téléphone": ({"telephone": "12345"}, "Ligne 2, colonne telephone : Le numéro de téléphone « 12345 »"),
    "courriel": ({"courriels": "contact(at)exemple.fr"}, "Ligne 2, colonne courriels : L'adresse e-mail « contact(at)"),
    "site web": ({"site_web": "laquincaillerie"}, "Ligne 2, colonne site_web : L'adresse web « laquincaillerie »"),
    "prise de rendez-vous": ({"prise_rdv": "ftp://rdv"}, "Ligne 2, colonne prise_rdv : L'adresse web « ftp://rdv »"),
    "date": ({"date_maj": "avril 2024"}, "Ligne 2, colonne date_maj : « avril 2024 » n'est pas une date"),
    "nom manquant": ({"nom": ""}, "Ligne 2, colonne nom : Cette valeur est obligatoire."),
    "id manquant": ({"id": ""}, "Ligne 2, colonne id : Cette valeur est obligatoire."),
    "valeur démesurée": (
        {"presentation_detail": "x" * 20_000},
        "Ligne 2, colonne presentation_detail : La valeur compte 20\u202f000 caractères : 10\u202f000 au plus.",
    ),
    "nom trop long": ({"nom": "n" * 201}, "Ligne 2, colonne nom : La valeur compte 201 caractères : 200 au plus."),
    "code INSEE mal formé": ({"code_insee": "2C001"}, "Ligne 2, colonne code_insee : « 2C001 » n'est pas"),
}


@pytest.mark.parametrize("changes, message", ROW_ERRORS.values(), ids=ROW_ERRORS.keys())
def test_a_row_in_error_is_reported_with_its_line_and_column_and_nothing_is_written(changes, message):
    before = counts()

    report = _import(csv_bytes([_row(**changes)]))

    assert report.has_errors and not report.written
    assert report.rows[0].status == ERROR and report.rows[0].status_label == "Erreur"
    assert any(error.startswith(message) for error in report.errors), report.errors
    assert report.summary.startswith("Aucun lieu importé : 1 ligne sur 1 est en erreur.")
    assert counts() == before


def test_one_bad_row_among_good_ones_cancels_everything_and_every_error_is_listed():
    rows = [
        _valid_row(1),
        _valid_row(2, horaires="tous les jours", presentation_resume="r" * 300),
        _valid_row(3),
        _valid_row(4, pivot=factories.siret(), typologie="INCONNUE", commune="Nulle-Part", code_insee="", latitude=""),
    ]
    before = counts()

    report = _import(csv_bytes(rows))

    assert counts() == before
    assert [row.status for row in report.rows] == [TO_CREATE, ERROR, TO_CREATE, ERROR]
    assert report.rows_in_error == 2
    errors = report.errors
    assert any(e.startswith("Ligne 3, colonne horaires :") for e in errors)
    assert any(e.startswith("Ligne 3, colonne presentation_resume :") for e in errors)
    assert any(e.startswith("Ligne 5, colonne typologie :") for e in errors)
    assert any(e.startswith("Ligne 5, colonne commune :") for e in errors)
    assert any(e.startswith("Ligne 5, colonne latitude :") for e in errors)
    assert report.summary.startswith("Aucun lieu importé : 2 lignes sur 4 sont en erreur.")


def test_errors_found_only_when_writing_are_reported_too():
    """A name the structure already uses is seen by place_create, inside the transaction."""
    rows = [_valid_row(1), _valid_row(2, nom="Espace numérique 1")]
    before = counts()

    report = _import(csv_bytes(rows))

    [error] = report.rows[1].errors
    assert error.startswith("Ligne 3, colonne nom : Votre structure a déjà un lieu")
    assert counts() == before


def test_an_identifier_used_twice_in_the_file_is_an_error():
    report = _import(csv_bytes([_valid_row(1), _valid_row(2, id="lieu-1")]))
    assert "Ligne 3, colonne id : L'identifiant « lieu-1 » figure déjà ligne 2." in report.errors


def test_a_row_with_more_values_than_columns_is_an_error():
    data = csv_bytes([example_row()]).rstrip(b"\r\n") + b',"de trop"\r\n'
    report = _import(data)
    assert report.errors == [
        "Ligne 2 : 1 valeur de plus que de colonnes dans l'en-tête : un séparateur ou un guillemet en trop ?"
    ]


def test_blank_lines_are_ignored_and_lines_keep_their_spreadsheet_number():
    data = (
        csv_bytes([_valid_row(1)])
        + b",,,,\r\n\r\n"
        + csv_bytes([_valid_row(2, horaires="n'importe quand")])[len(",".join(standard.columns())) + 2 :]
    )
    report = _import(data)
    assert report.rows_total == 2
    assert report.errors[0].startswith("Ligne 5, colonne horaires :")
