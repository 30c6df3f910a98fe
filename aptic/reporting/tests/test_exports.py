"""Exports of a funder's uses and of its dashboard, through the pages (ADR 0042): the numbers of the
files agree with the figures, the filters hold, large exports go through a job and its list,
another funder reaches nothing, expired files go, Premium files carry no #APTIC mark."""

import csv  # noqa: I001
import html
import datetime
import io
import pathlib

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from aptic.billing.models import Offer
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.jobs.models import Job
from aptic.printing.services import print_cover_upload
from aptic.reporting.models import Export
from aptic.reporting.report import Breakdown, Column, Figure, Report, Unit
from aptic.reporting.selectors import usage, usage_totals
from aptic.reporting.services import exports_purge
from aptic.reporting.tests.test_usage import spend
from aptic.reporting.views import report_export


def read_csv(response) -> list[list[str]]:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def export_uses(client, funder, view="", fmt="csv"):
    url = reverse("reporting:exports", kwargs={"org_slug": funder.slug})
    return client.post(url, {"vue": view, "format": fmt})


@pytest.fixture
def admin_client(client, funder_admin):
    client.force_login(funder_admin)
    return client


@pytest.mark.django_db
def test_the_uses_csv_holds_one_line_per_use_and_agrees_with_the_figures(world, funder, admin_client):
    spend(world, 1, 2)  # booklet 1, handed out to a senior by the distributor
    spend(world, 11)  # booklet 2, shipped but not handed out
    lines = read_csv(export_uses(admin_client, funder))
    assert lines[0] == [
        "Date",
        "Lieu",
        "Commune",
        "Code INSEE",
        "Catégorie de service",
        "Chèques",
        "Valeur (€)",
        "Public",
        "Aiguilleur",
    ]
    today = timezone.localdate().strftime("%d/%m/%Y")
    commune = world["commune"]
    category = world["category"].label
    assert lines[1:] == [
        [
            today,
            "Fablab du Forez",
            commune.name,
            commune.pk,
            category,
            "2",
            "20,00",
            "Senior",
            "Maison France Services",
        ],
        [today, "Fablab du Forez", commune.name, commune.pk, category, "1", "10,00", "", "Maison France Services"],
    ]
    totals = usage_totals(funder_id=funder.pk)
    assert sum(int(line[5]) for line in lines[1:]) == totals["used"] == 3
    assert sum(int(line[6].replace(",", "")) for line in lines[1:]) == totals["used_cents"]
    assert "Atelier" not in str(lines) and "@" not in str(lines)  # nothing personal, no offer text


@pytest.mark.django_db
def test_the_uses_export_honours_the_dashboard_s_filters(world, funder, admin_client):
    spend(world, 1, 2)
    spend(world, 11)
    senior = read_csv(export_uses(admin_client, funder, "public=senior"))
    assert len(senior) == 2 and senior[1][7] == "Senior"
    by_category = read_csv(export_uses(admin_client, funder, f"categorie={world['category'].pk}"))
    assert len(by_category) == 3
    rows = usage(group_by=("public",), funder_id=funder.pk, public="senior")
    assert int(senior[1][5]) == rows[0]["used"]
    past = read_csv(export_uses(admin_client, funder, "periode=dates&du=2026-01-01&au=2026-01-02"))
    assert len(past) == 1  # the header alone


@pytest.mark.django_db
def test_bad_filters_and_formats_answer_a_french_400(world, funder, admin_client):
    other = OrganisationFactory(kind="distributor")
    response = export_uses(admin_client, funder, f"aiguilleur={other.pk}")
    assert response.status_code == 400
    assert "Cet aiguilleur n'a reçu ni remis aucun de ces chèques." in html.unescape(response.content.decode())
    response = export_uses(admin_client, funder, "", fmt="docx")
    assert response.status_code == 400 and "Format d'export inconnu" in html.unescape(response.content.decode())
    page = admin_client.get(reverse("reporting:exports", kwargs={"org_slug": funder.slug}) + "?du=" + "9" * 10_000)
    assert page.status_code == 400


@pytest.mark.django_db
def test_a_large_export_goes_through_a_job_with_progress_then_downloads(
    world,
    funder,
    admin_client,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.PRIVATE_ROOT = tmp_path
    settings.APTIC_JOBS_BACKEND = "sync"
    settings.REPORTING_EXPORT_INLINE_ROWS = 2
    spend(world, 1, 2)
    spend(world, 11)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = export_uses(admin_client, funder, "", fmt="xlsx")
    assert response.status_code == 302
    export = Export.objects.get(organisation=funder)
    assert export.rows == 3 and export.job.kind == "reporting.export_uses"
    exports_url = reverse("reporting:exports", kwargs={"org_slug": funder.slug})
    page = admin_client.get(exports_url).content.decode()
    assert "<progress" in page and f"/travaux/{export.job.pk}/" in page  # polled until it ends
    for callback in callbacks:
        callback()  # the worker runs the job
    export.refresh_from_db()
    assert export.job.status == "done" and export.file
    page = admin_client.get(exports_url).content.decode()
    download = reverse("reporting:export_download", kwargs={"org_slug": funder.slug, "pk": export.pk})
    assert download in page and "Période : Depuis le début" in page
    response = admin_client.get(download)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["Utilisations"]
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[5], r[6], r[7]) for r in rows] == [(2, 20, "Senior"), (1, 10, None)]
    assert rows[0][0] == datetime.datetime.combine(timezone.localdate(), datetime.time())


@pytest.mark.django_db
def test_another_funder_reaches_no_export_and_expired_ones_are_purged(
    world,
    funder,
    admin_client,
    client,
    settings,
    tmp_path,
    staff,
):
    settings.PRIVATE_ROOT = tmp_path
    export = Export.objects.create(
        organisation=funder,
        format="csv",
        filters={"funder_id": funder.pk},
        created_by=staff,
        expires_at=timezone.now() + datetime.timedelta(days=30),
    )
    export.file.save("uses.csv", io.BytesIO(b"\xef\xbb\xbfDate\r\n"))
    download = reverse("reporting:export_download", kwargs={"org_slug": funder.slug, "pk": export.pk})
    assert admin_client.get(download).status_code == 200
    other = OrganisationFactory(kind="funder", name="Autre département")
    client = Client()  # admin_client is the `client` fixture itself
    client.force_login(MembershipFactory(organisation=other, role="admin").user)
    assert (
        client.get(reverse("reporting:export_download", kwargs={"org_slug": other.slug, "pk": export.pk})).status_code
        == 404
    )
    assert client.get(download).status_code in (403, 404)  # not a member of the first funder
    path = pathlib.Path(export.file.path)
    assert path.exists()
    assert exports_purge(now=timezone.now() + datetime.timedelta(days=29)) == 0
    assert exports_purge(now=timezone.now() + datetime.timedelta(days=31)) == 1
    assert not path.exists() and not Export.objects.exists()
    assert admin_client.get(download).status_code == 404


@pytest.mark.django_db
def test_the_purge_runs_daily_as_a_job():
    import aptic.reporting.jobs_handlers  # noqa: F401 (registers the periodic job)
    from aptic.jobs.execution import job_run
    from aptic.jobs.schedule import PERIODIC
    from aptic.jobs.services import job_enqueue

    assert any(entry.kind == "reporting.exports_purge" for entry in PERIODIC)
    job = job_enqueue(kind="reporting.exports_purge")
    assert job_run(job_id=job.pk).status == "done"
    assert Job.objects.get(pk=job.pk).message == "0 export supprimé."


def real_report(funder) -> Report:
    """A report as the dashboard builds one, from the usage facts."""
    totals = usage_totals(funder_id=funder.pk)
    places = [row for row in usage(group_by=("place_id",), funder_id=funder.pk) if row["place_id"]]
    return Report(
        title="Tableau de bord",
        organisation=funder.name,
        filters=(("Période", "Depuis le début"),),
        figures=(
            Figure("used", "Chèques utilisés", totals["used"]),
            Figure("used_cents", "Valeur utilisée", totals["used_cents"], Unit.CENTS),
        ),
        breakdowns=(
            Breakdown(
                "places",
                "Par lieu",
                (Column("place", "Lieu"), Column("used", "Chèques utilisés", Unit.COUNT)),
                tuple(("Fablab du Forez", row["used"]) for row in places),
                value_key="used",
            ),
        ),
        generated_at=timezone.now(),
        brand="#APTIC ne doit pas rester",  # the exports decide the brand by the offer, not the caller
    )


def answer(funder, fmt):
    request = RequestFactory().get("/", {"format": fmt})
    return report_export(request, lambda: real_report(funder), organisation=funder, slug="tableau-de-bord")


@pytest.mark.django_db
def test_the_dashboard_s_files_hold_its_numbers_and_refuse_unknown_formats(world, funder):
    spend(world, 1, 2)
    lines = read_csv(answer(funder, "csv"))
    assert ["Chèques utilisés", "2", ""] in lines and ["Valeur utilisée", "20,00", "€"] in lines
    book = openpyxl.load_workbook(io.BytesIO(answer(funder, "xlsx").content))
    assert book["Par lieu"]["B2"].value == 2
    pdf = answer(funder, "pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Valeur utilisée\n20 €" in text.replace("\xa0", " ")
    assert "#APTIC" in text  # not white-label: the platform's mark, whatever the caller set
    refused = answer(funder, "docx")
    assert refused.status_code == 400 and "Format d'export inconnu" in html.unescape(refused.content.decode())


@pytest.mark.django_db
def test_a_premium_funder_s_pdf_carries_its_name_and_cover_and_no_aptic_mark(sold_order, staff, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    order = sold_order(custom_cover=True)
    Offer.objects.filter(pk=order.quote.offer_id).update(white_label_exports=True)
    image = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 60, 120)).save(image, "PNG")
    print_cover_upload(order=order, user=staff, upload=SimpleUploadedFile("cover.png", image.getvalue()))
    funder = order.funder
    response = answer(funder, "pdf")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert funder.name in text
    assert "APTIC" not in text.upper()
    assert all("APTIC" not in str(value).upper() for value in reader.metadata.values())
    assert reader.pages[0].images  # the funder's cover image, as its logo
    assert "APTIC" not in answer(funder, "csv").content.decode("utf-8-sig").upper()


@pytest.mark.django_db
def test_the_dashboard_page_links_its_files_which_hold_its_filtered_numbers(world, funder, admin_client):
    spend(world, 1, 2)
    page_url = reverse("funders:dashboard", kwargs={"org_slug": funder.slug})
    query = f"periode=tout&categorie={world['category'].pk}"
    page = html.unescape(admin_client.get(page_url + "?" + query).content.decode())
    assert "format=pdf" in page and reverse("reporting:exports", kwargs={"org_slug": funder.slug}) in page
    lines = read_csv(admin_client.get(page_url + "?" + query + "&format=csv"))
    assert ["Catégorie de service", world["category"].label] in lines
    used = usage_totals(funder_id=funder.pk, category_id=world["category"].pk)["used"]
    assert ["Chèques utilisés", str(used), ""] in lines and used == 2
    pdf = admin_client.get(page_url + "?" + query + "&format=pdf")
    assert (
        pdf.status_code == 200 and world["category"].label in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    )
    # The report's map: the place where the vouchers were used, with its commune beside it.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Carte des lieux" in text and world["place"].name in text.split("Carte des lieux", 1)[1]
    assert reverse("funders:map", kwargs={"org_slug": funder.slug}) + "?" + query in page
    refused = admin_client.get(page_url + "?" + query + "&format=odt")
    assert refused.status_code == 400 and "Format d'export inconnu" in html.unescape(refused.content.decode())
    foreign = admin_client.get(page_url + "?categorie=999999&format=csv")
    assert foreign.status_code == 400


@pytest.mark.django_db
def test_a_formula_looking_place_name_is_shown_never_run_in_both_formats(world, funder, admin_client):
    world["place"].name = '=HYPERLINK("http://x";"Fablab")'
    world["place"].save(update_fields=["name"])
    spend(world, 1)
    lines = read_csv(export_uses(admin_client, funder))
    assert lines[1][1] == "'" + world["place"].name
    response = export_uses(admin_client, funder, fmt="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Utilisations"]
    cell = sheet["B2"]
    assert cell.value == world["place"].name and cell.data_type == "s" and cell.quotePrefix
