"""The staff import page and the import_places command: the same service, the same French report."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, ManagementUtility, call_command
from django.urls import reverse

from aptic.core.tests.factories import UserFactory
from aptic.core.tests.helpers import text
from aptic.opendata import reading, services, views
from aptic.places.models import Place

from .helpers import EXAMPLE, counts, csv_bytes, example_row

pytestmark = pytest.mark.django_db

URL = "/equipe/import-lieux/"


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    return user


def _upload(client, data: bytes, name: str = "lieux.csv", **fields):
    return client.post(reverse("opendata:import"), {"file": SimpleUploadedFile(name, data), **fields})


def _bad_row_file() -> bytes:
    row = example_row()
    row["horaires"] = "le matin"
    return csv_bytes([row])


# The page


def test_the_url_and_its_name():
    assert reverse("opendata:import") == URL
    assert reverse("opendata:places_csv") == "/opendata/lieux.csv"
    assert reverse("opendata:places_json") == "/opendata/lieux.json"


def test_the_import_page_is_for_staff_only(client, provider_admin):
    assert client.get(URL).status_code == 302  # anonymous: to the login page
    client.force_login(provider_admin)
    response = client.get(URL)
    assert response.status_code == 403
    response = _upload(client, EXAMPLE.read_bytes())
    assert response.status_code == 403
    assert Place.objects.count() == 0


def test_staff_see_the_form(client, staff):
    response = client.get(URL)
    assert response.status_code == 200
    page = text(response)
    assert "Importer des lieux au standard national" in page
    assert '<label for="id_file">Fichier CSV au standard national' in page
    assert '<label for="id_dry_run">Vérifier seulement' in page
    assert 'enctype="multipart/form-data"' in page


def test_staff_import_a_file_and_read_the_report(client, staff):
    response = _upload(client, EXAMPLE.read_bytes(), name="reseau.csv")

    assert response.status_code == 200
    page = text(response)
    assert "Import réussi, 1 ligne : 1 lieu créé" in page
    assert '<caption id="cap-lignes">Détail ligne par ligne (1 ligne)</caption>' in page
    assert 'role="region" tabindex="0" aria-labelledby="cap-lignes"' in page
    assert "Anonymal" in page and "Créé" in page and "reseau.csv" in page
    assert "645 km de Reims" in page
    place = Place.objects.get()
    assert place.provider.provider.events.get().actor == staff


def test_staff_check_a_file_without_importing_it(client, staff):
    response = _upload(client, EXAMPLE.read_bytes(), dry_run="on")
    assert response.status_code == 200
    assert "Vérification réussie" in text(response) and "À créer" in text(response)
    assert Place.objects.count() == 0


def test_a_file_with_errors_shows_every_error_and_writes_nothing(client, staff):
    before = counts()
    response = _upload(client, _bad_row_file())

    assert response.status_code == 400
    page = text(response)
    assert "<title>Erreur : " in page
    assert "Aucun lieu importé : 1 ligne sur 1 est en erreur." in page
    assert "Ligne 2, colonne horaires : Les horaires « le matin »" in page
    assert counts() == before


def test_a_file_that_is_no_csv_gets_a_french_message_on_the_field(client, staff):
    response = _upload(client, b"%PDF-1.4\n1 0 obj\n", name="lieux.pdf")
    assert response.status_code == 400
    assert "Ce fichier est un PDF." in text(response)
    assert 'aria-invalid="true"' in text(response)


def test_a_file_too_big_is_refused_before_it_is_read(client, staff, monkeypatch):
    def must_not_run(**kwargs):
        raise AssertionError("the service must not be called")

    monkeypatch.setattr(services, "places_import", must_not_run)
    response = _upload(client, b"a" * (reading.MAX_BYTES + 1))
    assert response.status_code == 400
    assert "la limite est de 10 Mo" in text(response)


def test_the_page_takes_fewer_rows_than_the_command(client, staff, monkeypatch):
    monkeypatch.setattr(views, "WEB_MAX_ROWS", 1)
    second = {**example_row(), "id": "lieu-2", "nom": "Deuxième lieu"}
    response = _upload(client, csv_bytes([example_row(), second]))
    assert response.status_code == 400
    assert "commande import_places" in text(response)
    assert Place.objects.count() == 0


def test_no_file_chosen(client, staff):
    response = client.post(URL, {})
    assert response.status_code == 400
    assert "Choisissez le fichier à importer." in text(response)


# The command


def test_the_command_imports_and_prints_the_report(capsys):
    call_command("import_places", str(EXAMPLE))
    out = capsys.readouterr().out
    assert "Import réussi, 1 ligne : 1 lieu créé" in out
    assert "Ligne 2, colonne latitude" in out  # the warning
    assert Place.objects.count() == 1

    call_command("import_places", str(EXAMPLE))
    assert "1 déjà importé" in capsys.readouterr().out
    assert Place.objects.count() == 1


def test_the_command_dry_run_and_verbose(capsys):
    call_command("import_places", str(EXAMPLE), "--dry-run", verbosity=2)
    out = capsys.readouterr().out
    assert "Ligne 2 [À créer] Anonymal" in out and "Vérification réussie" in out
    assert Place.objects.count() == 0


def test_the_command_fails_when_nothing_was_imported(tmp_path, capsys):
    path = tmp_path / "erreurs.csv"
    path.write_bytes(_bad_row_file())
    before = counts()

    with pytest.raises(CommandError, match="Aucun lieu importé : 1 ligne"):
        call_command("import_places", str(path))

    assert "Ligne 2, colonne horaires" in capsys.readouterr().out
    assert counts() == before


def test_the_command_exits_non_zero_from_the_shell(tmp_path, capsys):
    path = tmp_path / "erreurs.csv"
    path.write_bytes(_bad_row_file())
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_places", str(path)]).execute()
    assert exited.value.code == 1
    assert "Aucun lieu importé" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content, message",
    [(None, "Fichier introuvable"), (b"{}", "Ce fichier est au format JSON"), (b"", "Le fichier est vide.")],
)
def test_the_command_refuses_unusable_files_in_french(tmp_path, content, message):
    path = tmp_path / "lieux.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_places", str(path))
