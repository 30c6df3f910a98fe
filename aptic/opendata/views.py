"""Open data: the page listing every dataset, the places in the national standard (CSV, its XLSX twin,
JSON), the open statistics (ADR 0051), and the staff import of places."""

import tempfile

from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from aptic.accounts.permissions import staff_required
from aptic.core import tabular
from aptic.core.access import public
from aptic.core.disclosure import MIN_PUBLISHED_VOUCHERS
from aptic.core.errors import DomainError
from aptic.core.files import private_storage
from aptic.places.models import ReferenceImport
from aptic.places.selectors import reference_imports, reference_sources

from . import catalog, export, publishing, reference, selectors, services, statistics
from .forms import PlacesImportForm, ReferenceImportForm

EXPORT_MAX_AGE = 15 * 60  # seconds: places, offers and labels change during the day, not by the second
# An import writes every place through place_create (about 20 queries each, 10 to 25 s per 1,000
# places) in one transaction: within a web request, and with SQLite's single writer waiting behind
# it, a thousand places is the most we let one upload take. The command takes up to reading.MAX_ROWS.
WEB_MAX_ROWS = 1_000

# A generation deleted between the page and the download (the job keeps the two latest).
REPLACED = "Ce fichier vient d'être remplacé : rechargez la page."


def _download(content, *, content_type: str, extension: str, disposition: str) -> StreamingHttpResponse:
    if hasattr(content, "read"):
        response = FileResponse(content, content_type=content_type)
    else:
        response = StreamingHttpResponse(content, content_type=content_type)
    filename = f"lieux-mediation-numerique-aptic-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data, readable from any site's scripts
    patch_cache_control(response, public=True, max_age=EXPORT_MAX_AGE)
    return response


@public
@require_safe
def places_csv(request):
    return _download(
        export.csv_chunks(selectors.standard_rows()),
        content_type=tabular.CSV_CONTENT_TYPE,
        extension="csv",
        disposition="attachment",
    )


@public
@require_safe
def places_xlsx(request):
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response once sent)
    export.xlsx_write(handle, selectors.standard_rows())
    handle.seek(0)
    return _download(handle, content_type=tabular.XLSX_CONTENT_TYPE, extension="xlsx", disposition="attachment")


@public
@require_safe
def places_json(request):
    return _download(
        export.json_chunks(selectors.standard_rows()),
        content_type="application/json; charset=utf-8",
        extension="json",
        disposition="inline",
    )


@staff_required
def places_import(request):
    form = PlacesImportForm()
    report = None
    if request.method == "POST":
        form = PlacesImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.places_import(
                    data=upload.read(),
                    filename=upload.name,
                    actor=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    max_rows=WEB_MAX_ROWS,
                )
            except DomainError as exc:
                form.add_error("file" if exc.field == "file" else None, exc.message)
    failed = bool(form.errors) or (report is not None and report.has_errors)
    return render(request, "opendata/import.html", {"form": form, "report": report}, status=400 if failed else 200)


# --- The open statistics (ADR 0051) --------------------------------------------------------------

STATISTICS_MAX_AGE = 60 * 60  # seconds: written once a night


def _unknown_dataset(request, name: str):
    return render(request, "opendata/unknown.html", {"name": name, "tables": statistics.TABLES.values()}, status=404)


def _open_data(response, publication):
    response["Access-Control-Allow-Origin"] = "*"
    response["Last-Modified"] = http_date(publication.generated_at.timestamp())
    patch_cache_control(response, public=True, max_age=STATISTICS_MAX_AGE)
    return response


def _stored(publication, filename: str, content_type: str, *, attachment: bool):
    try:
        handle = private_storage.open(f"{publication.directory}/{filename}", "rb")
    except FileNotFoundError:
        raise Http404(REPLACED) from None
    response = FileResponse(handle, content_type=content_type, as_attachment=attachment, filename=filename)
    return _open_data(response, publication)


@public
@require_safe
def index(request):
    publication = publishing.latest_publication()
    datasets = [
        {"entry": entry, "files": [(link, link.url()) for link in entry.files], "schema_url": entry.schema_url(),
         "last_update": entry.last_update()}
        for entry in catalog.CATALOG
    ]  # fmt: skip
    return render(
        request,
        "opendata/index.html",
        {"datasets": datasets, "publication": publication, "min_vouchers": MIN_PUBLISHED_VOUCHERS},
    )


@public
@require_safe
def statistics_csv(request, name: str):
    if name not in statistics.TABLES:
        return _unknown_dataset(request, name)
    filename = publishing.csv_name(name)
    return _stored(publishing.latest_publication(), filename, tabular.CSV_CONTENT_TYPE, attachment=True)


@public
@require_safe
def statistics_xlsx(request, name: str):
    if name not in statistics.TABLES:
        return _unknown_dataset(request, name)
    publication = publishing.latest_publication()
    try:
        data = publishing.statistics_xlsx(publication, name)
    except FileNotFoundError:
        raise Http404(REPLACED) from None
    response = HttpResponse(data, content_type=tabular.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return _open_data(response, publication)


@public
@require_safe
def statistics_schema(request, name: str):
    if name not in statistics.TABLES:
        return _unknown_dataset(request, name)
    response = JsonResponse(statistics.TABLES[name].schema(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=STATISTICS_MAX_AGE)
    return response


@public
@require_safe
def statistics_datapackage(request):
    publication = publishing.latest_publication()
    return _stored(publication, publishing.DATAPACKAGE, "application/json; charset=utf-8", attachment=False)


@staff_required
def reference_places(request):
    """Staff: upload a source's reference places (imported by a background job), and each source's last import."""
    form = ReferenceImportForm()
    if request.method == "POST":
        form = ReferenceImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = reference.reference_import_request(
                    source=form.cleaned_data["source"], data=upload.read(), filename=upload.name, user=request.user
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("opendata:reference_import", pk=record.pk)
    context = {"form": form, "sources": reference_sources(), "imports": reference_imports()}
    return render(request, "opendata/reference_places.html", context, status=400 if form.errors else 200)


@staff_required
def reference_import(request, pk):
    record = get_object_or_404(ReferenceImport.objects.select_related("job", "created_by"), pk=pk)
    return render(request, "opendata/reference_import.html", {"record": record})
