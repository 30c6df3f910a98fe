"""Plus option: the funder's address file, all or nothing, with French messages naming line and
column; labels and letters; the mailing; the deletion of the addresses 30 days later."""

import datetime
import io
import tempfile
import tracemalloc
import zipfile
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from pypdf import PdfReader

from aptic.distribution.addresses import MAX_ROWS
from aptic.distribution.documents import render_letter_parts, render_letters
from aptic.distribution.mailings import addresses_purge, mailing_documents_generate, mailing_mark_mailed
from aptic.distribution.models import (
    AddressPurge,
    Handout,
    Mailing,
    MailingAddress,
    Shipment,
    ShippedBooklet,
)
from aptic.distribution.tests.helpers import sample_letter
from aptic.jobs.schedule import PERIODIC
from aptic.vouchers.models import Voucher

HEADER = "nom;adresse;complement;code_postal;ville;categorie\n"
ROWS = [
    "Jeanne Martin;12 rue des Lilas;Bât. B;33000;Bordeaux;senior\n",
    "Éloïse Lefèvre;3 allée des Chênes;;33400;Talence;Jeune\n",
    "Paul Durand;8 cours de l'Yser;;33800;Bordeaux;\n",
]


@pytest.fixture
def admin_client(client, funder_admin):
    client.force_login(funder_admin)
    return client


def _upload(client, funder, order, name, content, capture=None):
    url = reverse("distribution:funder_mailings", kwargs={"org_slug": funder.slug})
    return client.post(url, {"order": order.pk, "file": SimpleUploadedFile(name, content)})


def _nothing_created():
    return not (Mailing.objects.exists() or MailingAddress.objects.exists() or Shipment.objects.exists())


@pytest.mark.django_db
def test_utf8_semicolon_file_gives_labels_and_one_letter_per_booklet(
    admin_client, funder, released, django_capture_on_commit_callbacks
):
    year = datetime.date.today().year + 1  # valid whatever the day the tests run
    order = released(quantity=50, valid_until=datetime.date(year, 12, 31), grace_until=datetime.date(year + 1, 1, 31))
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin_client, funder, order, "adresses.csv", (HEADER + "".join(ROWS)).encode())
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    assert mailing.status == "prepared" and mailing.address_count == 3
    assert list(mailing.addresses.values_list("category", flat=True)) == ["senior", "young", "not_stated"]
    assert sorted(ShippedBooklet.objects.values_list("booklet__number", flat=True)) == [1, 2, 3]
    base = reverse("distribution:funder_mailings", kwargs={"org_slug": funder.slug})
    letters = admin_client.get(f"{base}{mailing.pk}/courriers/")
    reader = PdfReader(io.BytesIO(b"".join(letters.streaming_content)))
    assert len(reader.pages) == 3
    second = reader.pages[1].extract_text()
    assert "Carnet n° 2" in second or "carnet de chèques #APTIC n° 2" in second
    assert "Éloïse Lefèvre" in second and "33400 TALENCE" in second
    assert f"Les chèques sont valables jusqu'au 31/12/{year}, acceptés jusqu'au 31/01/{year + 1}." in second
    labels = admin_client.get(f"{base}{mailing.pk}/etiquettes/")
    text = PdfReader(io.BytesIO(b"".join(labels.streaming_content))).pages[0].extract_text()
    assert "Jeanne Martin" in text and "Bât. B" in text


@pytest.mark.django_db
def test_letters_of_a_large_mailing_come_as_several_pdfs_in_a_zip(
    admin_client, funder, released, settings, django_capture_on_commit_callbacks
):
    settings.APTIC_MAILING_FILE_LETTERS = 2
    order = released(quantity=50)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(admin_client, funder, order, "adresses.csv", (HEADER + "".join(ROWS)).encode())
    mailing = Mailing.objects.get()
    base = reverse("distribution:funder_mailings", kwargs={"org_slug": funder.slug})
    response = admin_client.get(f"{base}{mailing.pk}/courriers/")
    assert response["Content-Disposition"].endswith(f'filename="envoi-{mailing.pk}-courriers.zip"')
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["courriers-001.pdf", "courriers-002.pdf"]
        parts = [PdfReader(io.BytesIO(archive.read(name))) for name in archive.namelist()]
    assert [len(part.pages) for part in parts] == [2, 1]
    assert "Paul Durand" in parts[1].pages[0].extract_text()
    # Produced again, the same bytes.
    mailing_documents_generate(mailing=mailing)
    mailing.refresh_from_db()
    with mailing.letters.open("rb") as handle:
        assert handle.read() == data


def test_letters_in_parts_keep_memory_bounded_by_the_part():
    rows = [
        SimpleNamespace(
            name=f"Personne {n}", street=f"{n} rue Test", complement="", postal_code="42000", city="X", booklet_number=n
        )
        for n in range(600)
    ]
    letter = sample_letter()

    def peak(write):
        tracemalloc.start()
        with tempfile.TemporaryFile() as out:
            write(out)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    whole = peak(lambda out: render_letters(out, rows, letter=letter))
    parts = peak(lambda out: render_letter_parts(out, iter(rows), limit=100, letter=letter))
    assert parts < whole / 2, (parts, whole)


@pytest.mark.django_db
def test_latin1_comma_file_and_excel_file_are_read(admin_client, funder, released):
    order = released(quantity=100)
    latin = (HEADER + "".join(ROWS)).replace(";", ",").encode("latin-1")
    assert _upload(admin_client, funder, order, "adresses.csv", latin).status_code == 302
    assert MailingAddress.objects.filter(name="Éloïse Lefèvre", city="TALENCE").exists()
    book = Workbook()
    sheet = book.active
    sheet.append(["Nom", "Adresse", "Code postal", "Ville"])
    sheet.append(["Marc Petit", "1 place de la Mairie", 42000, "Saint-Étienne"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert _upload(admin_client, funder, order, "adresses.xlsx", buffer.getvalue()).status_code == 302
    assert MailingAddress.objects.get(name="Marc Petit").postal_code == "42000"
    assert Mailing.objects.count() == 2
    assert sorted(ShippedBooklet.objects.values_list("booklet__number", flat=True)) == [1, 2, 3, 4]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, expected",
    [
        (b"nom;ville\nJeanne;Bordeaux\n", "colonnes obligatoires manquantes : « adresse », « code_postal »"),
        (
            (HEADER + ROWS[0] + "Paul;8 rue X;;3380;Bordeaux;\n").encode(),
            "Ligne 3, colonne « code_postal » : « 3380 » n&#x27;est pas un code postal",
        ),
        ((HEADER + ROWS[0] + "Paul;;;33800;Bordeaux;\n").encode(), "Ligne 3, colonne « adresse » : valeur manquante"),
        ((HEADER + ROWS[0] + ROWS[1] + ROWS[0]).encode(), "Ligne 4 : doublon de la ligne 2"),
        ((HEADER + "Paul;1 rue X;;33000;Bordeaux;pirate\n").encode(), "« pirate » n&#x27;est pas un public connu"),
        # UTF-8 text that went through a Latin-1 reader before being saved again.
        ((HEADER + "Ã‰loÃ¯se;1 rue X;;33000;Bordeaux;\n").encode(), "Ligne 2, colonne « nom » : caractères illisibles"),
        # Bytes of a legacy encoding that are control characters in Latin-1.
        (HEADER.encode() + b"Jo\x81l;1 rue X;;33000;Bordeaux;\n", "Ligne 2, colonne « nom » : caractères illisibles"),
        (b"\x00\x01\x02binary", "ni un CSV"),
        (b"PK\x03\x04 broken zip", "pas un classeur Excel lisible"),
    ],
)
def test_bad_files_are_refused_whole_with_french_messages(admin_client, funder, released, content, expected):
    order = released(quantity=50)
    response = _upload(admin_client, funder, order, "adresses.csv", content)
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page, page[page.find("problemes") : page.find("problemes") + 600]
    assert _nothing_created()


@pytest.mark.django_db
def test_more_than_100_000_rows_is_refused(admin_client, funder, released):
    order = released(quantity=50)
    body = "".join(f"Personne {i};{i} rue Longue;;33000;Bordeaux;\n" for i in range(MAX_ROWS + 1))
    response = _upload(admin_client, funder, order, "adresses.csv", (HEADER + body).encode())
    assert response.status_code == 400
    assert "plus de 100\u202f000 adresses" in response.content.decode()
    assert _nothing_created()


@pytest.mark.django_db
def test_more_addresses_than_free_booklets_is_refused(admin_client, funder, released):
    order = released(quantity=20)  # two booklets
    response = _upload(admin_client, funder, order, "adresses.csv", (HEADER + "".join(ROWS)).encode())
    assert response.status_code == 400
    assert "n&#x27;a plus que 2 carnets non expédiés pour 3 adresses" in response.content.decode()
    assert _nothing_created()


@pytest.mark.django_db
def test_mailing_is_posted_then_addresses_are_deleted_30_days_later(
    admin_client, funder, released, staff, django_capture_on_commit_callbacks
):
    order = released(quantity=50)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(admin_client, funder, order, "adresses.csv", (HEADER + "".join(ROWS)).encode())
    mailing = Mailing.objects.get()
    letters_path = mailing.letters.path
    admin_client.force_login(staff)
    url = reverse("distribution:staff_mailing_mailed", kwargs={"pk": mailing.pk})
    assert admin_client.post(url, {"mailed_on": "2026-06-01"}).status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == "mailed" and mailing.mailed_on == datetime.date(2026, 6, 1)
    assert list(Handout.objects.order_by("pk").values_list("category", flat=True)) == ["senior", "young", "not_stated"]
    assert Voucher.objects.filter(order=order, status="active").count() == 30  # on distribution
    assert addresses_purge(today=datetime.date(2026, 6, 30)) == []  # 29 days: kept
    assert MailingAddress.objects.count() == 3
    (entry,) = addresses_purge(today=datetime.date(2026, 7, 1))
    assert entry.address_count == 3 and entry.files_deleted == 2 and "envoi postal n°" in entry.description
    assert not MailingAddress.objects.exists()
    mailing.refresh_from_db()
    assert mailing.addresses_purged_at is not None and not mailing.labels and not mailing.letters
    import os

    assert not os.path.exists(letters_path)
    # What was distributed stays counted; a second run finds nothing more to do.
    assert Handout.objects.count() == 3
    assert addresses_purge(today=datetime.date(2026, 8, 1)) == [] and AddressPurge.objects.count() == 1


@pytest.mark.django_db
def test_purge_runs_daily_as_a_job():
    import aptic.distribution.jobs_handlers  # noqa: F401  (registers the periodic job)

    assert any(p.kind == "distribution.purge_addresses" and p.hour == 3 for p in PERIODIC)
    from aptic.jobs.execution import job_run
    from aptic.jobs.services import job_enqueue

    job = job_enqueue(kind="distribution.purge_addresses")
    assert job_run(job_id=job.pk).status == "done"


@pytest.mark.django_db
def test_mailing_cannot_be_posted_before_its_documents_are_ready(released, funder, funder_admin, staff):
    from aptic.core.errors import DomainError
    from aptic.distribution.mailings import mailing_create

    order = released(quantity=50)
    mailing = mailing_create(
        funder=funder, order=order, filename="a.csv", data=(HEADER + ROWS[0]).encode(), user=funder_admin
    )
    with pytest.raises(DomainError, match="pas prêt à poster"):
        mailing_mark_mailed(mailing=mailing, mailed_on=datetime.date(2026, 1, 5), user=staff)


@pytest.mark.django_db
def test_mailings_are_for_the_funder_admins_only(client, funder, funder_member, released, funder_admin):
    order = released(quantity=50)
    from aptic.distribution.mailings import mailing_create

    mailing = mailing_create(
        funder=funder, order=order, filename="a.csv", data=(HEADER + ROWS[0]).encode(), user=funder_admin
    )
    client.force_login(funder_member)
    assert client.get(reverse("distribution:funder_mailings", kwargs={"org_slug": funder.slug})).status_code == 403
    from aptic.core.tests.factories import MembershipFactory, OrganisationFactory

    other = OrganisationFactory(kind="funder")
    other_admin = MembershipFactory(organisation=other, role="admin").user
    client.force_login(other_admin)
    url = reverse(
        "distribution:funder_mailing_file", kwargs={"org_slug": other.slug, "pk": mailing.pk, "kind": "courriers"}
    )
    assert client.get(url).status_code == 404
    page = client.get(reverse("distribution:funder_mailings", kwargs={"org_slug": other.slug}))
    assert page.status_code == 200 and "a.csv" not in page.content.decode()
    # Its own order list does not offer the first funder's order.
    response = client.post(
        reverse("distribution:funder_mailings", kwargs={"org_slug": other.slug}),
        {"order": order.pk, "file": SimpleUploadedFile("b.csv", (HEADER + ROWS[1]).encode())},
    )
    assert response.status_code == 400 and Mailing.objects.count() == 1
