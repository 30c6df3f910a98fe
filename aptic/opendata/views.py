"""Open data: the places in the national standard (CSV, JSON), and the staff import of such files."""

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from aptic.accounts.permissions import staff_required
from aptic.core import tabular
from aptic.core.access import public
from aptic.core.errors import DomainError
from aptic.places.models import ReferenceImport
from aptic.places.selectors import reference_imports, reference_sources

from . import export, reference, selectors, services
from .forms import PlacesImportForm, ReferenceImportForm

EXPORT_MAX_AGE = 15 * 60  # seconds: places, offers and labels change during the day, not by the second
# An import writes every place through place_create (about 20 queries each, 10 to 25 s per 1,000
# places) in one transaction: within a web request, and with SQLite's single writer waiting behind
# it, a thousand places is the most we let one upload take. The command takes up to reading.MAX_ROWS.
WEB_MAX_ROWS = 1_000


def _download(chunks, *, content_type: str, extension: str, disposition: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
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
