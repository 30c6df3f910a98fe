"""The files of a funder's steering view (ADR 0042): the dashboard's own exports (`report_export`,
called by the dashboard page for ?format=csv|xlsx|pdf), and the row-level export of uses with the
exports' list, where the files prepared in the background wait 30 days."""

import tempfile
from collections.abc import Callable

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.core import formats, tabular
from aptic.core.errors import DomainError

from .branding import branded
from .dashboard import funder_filter_options
from .exports import report_csv, report_pdf, report_xlsx
from .exports.services import UNKNOWN_USES_FORMAT, inline_limit
from .exports.uses import HEADER, WIDTHS, uses_count, uses_rows
from .filters import FilterOptions, Filters, parse_filters
from .models import Export, ExportFormat
from .report import Report
from .services import export_request

REPORT_FORMATS = {
    "csv": (report_csv, tabular.CSV_CONTENT_TYPE),
    "xlsx": (report_xlsx, tabular.XLSX_CONTENT_TYPE),
    "pdf": (None, "application/pdf"),
}
UNKNOWN_FORMAT = "Format d'export inconnu : choisissez CSV, XLSX ou PDF."


def bad_request(request, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def report_export(request, build: Callable[[], Report], *, organisation, slug: str) -> HttpResponse:
    """The report `build()` returns, in the format asked by ?format= (csv, xlsx, pdf), with the
    organisation's brand if its offer is white-label; any other format is a French 400, answered
    before anything is built (a staff drill-down journals each build)."""
    fmt = request.GET.get("format", "")
    if fmt not in REPORT_FORMATS:
        return bad_request(request, UNKNOWN_FORMAT)
    report, logo = branded(build(), organisation)
    write, content_type = REPORT_FORMATS[fmt]
    data = report_pdf(report, logo=logo) if fmt == "pdf" else write(report)
    response = HttpResponse(data, content_type=content_type)
    day = timezone.localtime(report.generated_at).date()
    response["Content-Disposition"] = f'attachment; filename="{slug}-{day:%Y-%m-%d}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


def report_page(
    request, *, options: FilterOptions, template: str, context: dict, build, slug=None, build_file=None, owner=None
):
    """A dashboard under the filters of the URL; with a `slug`, ?format= gives the same view as a
    file (`build_file` when the file holds more than the page, else `build`), branded as `owner`'s
    files are (the organisation whose figures they are; the user's own by default). Wrong filters:
    a French 400, the page with its filters form and no figures, or the error page for a file."""
    wants_file = slug is not None and "format" in request.GET
    try:
        filters = parse_filters(request.GET, options=options)
    except DomainError as exc:
        if wants_file:
            return bad_request(request, exc.message)
        context = context | {"filters": Filters(options=options), "filters_error": exc.message}
        return render(request, template, context, status=400)
    if wants_file:
        return report_export(
            request, lambda: (build_file or build)(filters), organisation=owner or request.organisation, slug=slug
        )
    return render(request, template, context | {"filters": filters, "report": build(filters)})


def funder_view(organisation, params: QueryDict):
    """The dashboard's filters (the same query string) for this funder's own facts; DomainError if
    they name anything else."""
    return parse_filters(params, options=funder_filter_options(organisation))


def _stream(fmt: str, lookups: dict, name: str):
    rows = uses_rows(lookups)
    if fmt == ExportFormat.CSV:
        response = StreamingHttpResponse(
            tabular.csv_chunks(HEADER, rows, dialect=tabular.FRENCH_EXCEL), content_type=tabular.CSV_CONTENT_TYPE
        )
    else:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response once sent)
        tabular.xlsx_write(handle, [tabular.Sheet("Utilisations", HEADER, rows, WIDTHS)])
        handle.seek(0)
        response = FileResponse(handle, content_type=tabular.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@organisation_required(kinds=[OrganisationKind.FUNDER])
@require_http_methods(["GET", "POST"])
def exports(request):
    """GET: the exports' list, and the form exporting the uses of the view in the query string.
    POST: that export, sent at once up to the threshold, else prepared by a job."""
    organisation = request.organisation
    # The dashboard's query string: in the URL of the page, in the form's "vue" field when posted.
    view = QueryDict(request.POST.get("vue", "")) if request.method == "POST" else request.GET
    try:
        filters = funder_view(organisation, view)
    except DomainError as exc:
        return bad_request(request, exc.message)
    if request.method == "POST":
        fmt = request.POST.get("format", "")
        if fmt not in ExportFormat.values:
            return bad_request(request, UNKNOWN_USES_FORMAT)
        lookups = filters.lookups() | {"funder_id": organisation.pk}
        count = uses_count(lookups)
        if count <= inline_limit():
            return _stream(fmt, lookups, f"utilisations-{timezone.localdate():%Y-%m-%d}")
        export = export_request(
            organisation=organisation,
            user=request.user,
            format=fmt,
            filters=lookups,
            filter_lines=filters.lines(),
            rows=count,
        )
        messages.success(
            request,
            f"{formats.count(count, 'chèque utilisé', 'chèques utilisés')} : le fichier n° {export.pk} est en "
            "préparation ; il reste téléchargeable ici pendant 30 jours.",
        )
        return redirect("reporting:exports", org_slug=organisation.slug)
    context = {
        "filters": filters,
        "view": filters.query(),
        "formats": ExportFormat.choices,
        "exports": Export.objects.filter(organisation=organisation, expires_at__gte=timezone.now()).select_related(
            "job"
        ),
        "limit": inline_limit(),
    }
    return render(request, "reporting/exports.html", context)


@organisation_required(kinds=[OrganisationKind.FUNDER])
def export_download(request, pk):
    """A file the platform wrote itself (not an upload): served as its format says, to its organisation only."""
    export = get_object_or_404(Export, pk=pk, organisation=request.organisation, expires_at__gte=timezone.now())
    if not export.file:
        raise Http404("Ce fichier est encore en préparation.")
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404("Ce fichier n'existe plus.") from None
    content_type = tabular.CSV_CONTENT_TYPE if export.format == ExportFormat.CSV else tabular.XLSX_CONTENT_TYPE
    response = FileResponse(handle, as_attachment=True, filename=export.filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
