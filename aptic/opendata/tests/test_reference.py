"""Reference places (ADR 0050): import of a source in the national standard, re-import, all or nothing,
the staff page and its background job, and known_places() counting a place once."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from aptic.accounts.models import Organisation
from aptic.core.errors import DomainError
from aptic.core.tests.factories import UserFactory
from aptic.jobs.models import JobStatus
from aptic.opendata.reference import reference_places_import
from aptic.places.models import Place, ReferenceImport, ReferencePlace
from aptic.places.selectors import APTIC, REFERENCE, known_places
from aptic.vocabulary.models import PlaceTypology, ServiceCategory

from . import factories
from .helpers import EXAMPLE_SIRET, csv_bytes

pytestmark = pytest.mark.django_db
SOURCE = "Cartographie nationale"
ADMIN = "Aide aux démarches administratives"
ACCESS = "Accès internet et matériel informatique"


def _row(number: int, **changes) -> dict:
    row = {
        "id": f"carto-{number}",
        "pivot": "",
        "nom": f"Médiathèque {number}",
        "commune": "Saint-Étienne",
        "code_postal": "42000",
        "code_insee": "42218",
        "adresse": f"{number} rue Jo Gouttebarge",
        "latitude": "45.4397",
        "longitude": "4.3872",
        "typologie": "BIB",
        "services": f"{ADMIN}|{ACCESS}",
        "date_maj": "2026-10-02",
    }
    row.update(changes)
    return row


def _import(rows, **kwargs):
    return reference_places_import(source=kwargs.pop("source", SOURCE), data=csv_bytes(rows), **kwargs)


def _categories(place) -> set[str]:
    return set(place.service_categories.values_list("standard_value", flat=True))


def test_a_source_is_imported_without_siret_and_never_creates_a_provider():
    organisations, places = Organisation.objects.count(), Place.objects.count()
    report = _import(
        [_row(1), _row(2, pivot="W423001234"), _row(3, pivot=EXAMPLE_SIRET), _row(4, pivot="434933123")],
        filename="carto.csv",
    )

    assert not report.has_errors, report.errors
    assert (report.rows, report.created, report.updated, report.retired) == (4, 4, 0, 0)
    assert (Organisation.objects.count(), Place.objects.count()) == (organisations, places)
    first, third = ReferencePlace.objects.get(source_id="carto-1"), ReferencePlace.objects.get(source_id="carto-3")
    assert (first.commune_id, first.siret, third.siret) == ("42218", "", EXAMPLE_SIRET)
    assert _categories(first) == {ADMIN, ACCESS}
    assert list(first.typologies.values_list("standard_value", flat=True)) == ["BIB"]
    assert first.source_updated_on == datetime.date(2026, 10, 2)
    # The RNA number and the SIREN are ignored with one grouped warning naming their lines.
    assert any("pivot" in w and "2 lignes : 3, 5" in w for w in report.warnings), report.warnings
    record = ReferenceImport.objects.get()
    assert (record.source, record.status, record.created, record.filename) == (SOURCE, "done", 4, "carto.csv")


def test_a_re_import_updates_changed_rows_retires_vanished_ones_and_leaves_the_others_untouched():
    first_at = timezone.now() - datetime.timedelta(days=60)
    _import([_row(1), _row(2), _row(3), _row(4)], at=first_at)
    second_at = timezone.now() - datetime.timedelta(days=30)
    report = _import([_row(1), _row(2, services=ADMIN, nom="Médiathèque Tarentaize"), _row(3), _row(5)], at=second_at)

    assert (report.created, report.updated, report.unchanged, report.retired, report.restored) == (1, 1, 2, 1, 0)
    unchanged, changed = (
        ReferencePlace.objects.get(source_id="carto-1"),
        ReferencePlace.objects.get(source_id="carto-2"),
    )
    assert unchanged.updated_at == first_at and unchanged.retired_at is None
    assert (changed.name, changed.updated_at, _categories(changed)) == ("Médiathèque Tarentaize", second_at, {ADMIN})
    assert ReferencePlace.objects.get(source_id="carto-4").retired_at == second_at
    assert ReferencePlace.objects.get(source_id="carto-5").imported_at == second_at

    # Back in the source: restored, the same row.
    report = _import([_row(1), _row(2, services=ADMIN, nom="Médiathèque Tarentaize"), _row(3), _row(4), _row(5)])
    assert (report.created, report.updated, report.unchanged, report.retired, report.restored) == (0, 0, 4, 0, 1)
    assert ReferencePlace.objects.get(source_id="carto-4").retired_at is None
    assert ReferencePlace.objects.count() == 5


def test_another_source_is_left_alone_by_a_re_import():
    _import([_row(1)], source="Réseau des médiathèques")
    _import([_row(1), _row(2)])
    _import([_row(2)])

    assert ReferencePlace.objects.get(source="Réseau des médiathèques").retired_at is None
    assert ReferencePlace.objects.get(source=SOURCE, source_id="carto-1").retired_at is not None


def test_duplicate_ids_and_broken_rows_are_reported_by_row_and_column_and_nothing_is_written():
    _import([_row(1)])
    before = list(ReferencePlace.objects.values_list("pk", "name", "updated_at", "retired_at"))
    report = _import(
        [
            _row(1, nom="Renommé"),
            _row(2),
            _row(2, nom="Autre"),
            _row(3, commune="Nulle-Part", code_postal="99999", code_insee=""),
            _row(4, latitude="quarante-cinq"),
            _row(5, services="Cuisine"),
            _row(6, date_maj="hier"),
            _row(7, id=""),
            _row(8, commune="Bègles", code_postal="33130"),  # Saint-Étienne's INSEE code
            _row(9, date_maj="9999-12-31"),
            _row(10, nom="Médiathèque\t10", adresse="1 rue \u202eTest"),
        ]
    )

    assert (
        "Ligne 10, colonne code_insee : « 42218 » est le code INSEE de Saint-Étienne, pas de « Bègles » (33130)."
        in report.errors
    )
    assert "Ligne 11, colonne date_maj : « 9999-12-31 » est une date à venir." in report.errors
    assert any(e.startswith("Ligne 12, colonne nom : La valeur contient un caractère invisible") for e in report.errors)
    assert any(e.startswith("Ligne 12, colonne adresse : La valeur contient") for e in report.errors)
    assert report.has_errors and report.rows_in_error == 9
    assert "Ligne 4, colonne id : L'identifiant « carto-2 » figure déjà ligne 3." in report.errors
    assert any(e.startswith("Ligne 5, colonne commune : Aucune commune actuelle") for e in report.errors)
    assert any(e.startswith("Ligne 6, colonne latitude :") for e in report.errors)
    assert any(e.startswith("Ligne 7, colonne services : Valeur inconnue « Cuisine »") for e in report.errors)
    assert any(e.startswith("Ligne 8, colonne date_maj :") for e in report.errors)
    assert "Ligne 9, colonne id : Cette valeur est obligatoire." in report.errors
    assert report.summary.startswith("Aucun lieu importé : 9 lignes sur 11 sont en erreur.")
    assert list(ReferencePlace.objects.values_list("pk", "name", "updated_at", "retired_at")) == before
    record = ReferenceImport.objects.latest("created_at")
    assert record.status == "refused" and len(record.errors) == 10


def test_an_unusable_file_is_refused_in_french_and_recorded():
    with pytest.raises(DomainError, match="Le fichier est vide"):
        reference_places_import(source=SOURCE, data=b"")
    assert ReferenceImport.objects.get().status == "refused"
    with pytest.raises(DomainError, match="nom de la source"):
        reference_places_import(source="  ", data=csv_bytes([_row(1)]))


def test_overseas_communes_far_coordinates_and_missing_ones():
    report = _import(
        [
            _row(1, commune="Saint-Denis", code_postal="97400", code_insee="97411", latitude="", longitude=""),
            _row(
                2,
                commune="Fort-de-France",
                code_postal="97200",
                code_insee="97209",
                latitude="14,6",
                longitude="-61,07",
            ),
            _row(3, commune="Mamoudzou", code_postal="97600", code_insee="97611", latitude="48.85", longitude="2.35"),
            _row(4, commune="Cayenne", code_postal="97300", code_insee="", typologie="INCONNUE"),
        ]
    )

    assert not report.has_errors, report.errors
    places = {p.source_id: p for p in ReferencePlace.objects.select_related("commune")}
    assert places["carto-1"].commune_id == "97411"
    assert (places["carto-1"].latitude, places["carto-1"].longitude) == (
        places["carto-1"].commune.latitude,
        places["carto-1"].commune.longitude,
    )
    assert (places["carto-2"].latitude, places["carto-2"].longitude) == (14.6, -61.07)
    # A Paris point for Mamoudzou: the commune's centre, with a warning.
    assert places["carto-3"].commune_id == "97611" and places["carto-3"].latitude == places["carto-3"].commune.latitude
    assert places["carto-4"].commune.departement_id == "973"
    assert any("trop loin" in w and "2 lignes : 4, 5" in w for w in report.warnings), report.warnings
    assert any("typologie" in w for w in report.warnings)


def test_a_reference_place_that_is_also_a_labelled_provider_s_place_counts_once():
    organisation = factories.provider(name="Ville de Saint-Étienne")
    aptic = factories.place(organisation, name="Médiathèque Tarentaize")
    siret = organisation.siret
    _import(
        [
            _row(1, nom="MEDIATHEQUE  tarentaize"),  # same name, same commune
            _row(
                2,
                nom="Bibliothèque municipale",
                pivot=siret,
                latitude=str(aptic.latitude),
                longitude=str(aptic.longitude),
            ),
            _row(3, nom="Médiathèque Carnot", pivot=siret, latitude="45.4500", longitude="4.3900"),  # 1 km away
            _row(4, nom="Médiathèque Tarentaize", commune="Firminy", code_postal="42700", code_insee="42095"),
        ]
    )
    counted = {(place.kind, place.name) for place in known_places()}

    assert (APTIC, "Médiathèque Tarentaize") in counted
    assert {name for kind, name in counted if kind == REFERENCE} == {"Médiathèque Carnot", "Médiathèque Tarentaize"}
    assert [p.commune_id for p in known_places() if p.kind == REFERENCE and p.name == "Médiathèque Tarentaize"] == [
        "42095"
    ]
    assert ReferenceImport.objects.get().twins == 2

    # Hidden, the #APTIC place no longer counts: its reference twin does.
    Place.objects.filter(pk=aptic.pk).update(is_published=False)
    assert len([p for p in known_places() if p.kind == REFERENCE]) == 4


def test_retired_reference_places_are_not_known():
    _import([_row(1), _row(2)])
    _import([_row(2)])
    assert [p.name for p in known_places() if p.kind == REFERENCE] == ["Médiathèque 2"]
    category = ServiceCategory.objects.get(standard_value=ADMIN)
    assert category.pk in next(p for p in known_places() if p.kind == REFERENCE).category_ids


def test_the_command_imports_and_reports(tmp_path, capsys):
    path = tmp_path / "carto.csv"
    path.write_bytes(csv_bytes([_row(1), _row(2)]))
    call_command("import_reference_places", str(path), "--source", SOURCE)
    assert "Import réussi, 2 lignes : 2 ajoutés" in capsys.readouterr().out
    path.write_bytes(csv_bytes([_row(1), _row(1)]))
    with pytest.raises(CommandError, match="Aucun lieu importé"):
        call_command("import_reference_places", str(path), "--source", SOURCE)
    assert "Ligne 3, colonne id" in capsys.readouterr().out


def test_staff_upload_runs_the_import_as_a_job_with_progress(
    client, django_capture_on_commit_callbacks, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    url = reverse("opendata:reference_places")
    assert client.get(url).status_code == 200

    upload = _upload([_row(n) for n in range(1, 6)])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"source": SOURCE, "file": upload})
    record = ReferenceImport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "opendata:reference_import", kwargs={"pk": record.pk}
    )
    record.refresh_from_db()
    assert (record.status, record.created, record.job.status) == ("done", 5, JobStatus.DONE)
    assert (record.job.progress_done, record.job.progress_total) == (5, 5)
    assert not record.file  # the upload is not kept once imported
    page = client.get(response.url).content.decode()
    assert "Import réussi, 5 lignes" in page
    listing = client.get(url).content.decode()
    assert SOURCE in listing and "Importé" in listing

    # A broken file: the job ends, the import is refused, the page names the rows.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"source": SOURCE, "file": _upload([_row(1), _row(1)])})
    page = client.get(response.url).content.decode()
    assert "Refusé" in page and "Ligne 3, colonne id" in page
    assert ReferencePlace.objects.filter(retired_at__isnull=True).count() == 5


def test_staff_page_refuses_a_missing_source_and_others_cannot_see_it(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.post(reverse("opendata:reference_places"), {"source": "", "file": _upload([_row(1)])})
    assert response.status_code == 400 and "Indiquez le nom de la source" in response.content.decode()
    # What cannot be a CSV table is refused at the upload, before any job or stored file.
    from django.core.files.uploadedfile import SimpleUploadedFile

    for name, data in (
        ("carte.png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
        ("lieux.json", b'[{"id": 1}]'),
        ("vide.csv", b""),
    ):
        upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
        response = client.post(reverse("opendata:reference_places"), {"source": SOURCE, "file": upload})
        assert response.status_code == 400, name
    assert not ReferenceImport.objects.exists()
    client.force_login(UserFactory())
    assert client.get(reverse("opendata:reference_places")).status_code in (302, 403)


def test_reference_places_in_the_back_office_are_read_only(client):
    _import([_row(1)])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    place = ReferencePlace.objects.get()
    assert client.get(reverse("admin:places_referenceplace_changelist")).status_code == 200
    assert client.get(reverse("admin:places_referenceimport_changelist")).status_code == 200
    assert client.get(reverse("admin:places_referenceplace_add")).status_code == 403
    assert PlaceTypology.objects.filter(reference_places=place).exists()


def _upload(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("carto.csv", csv_bytes(rows), content_type="text/csv")
