import dataclasses

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.accounts.permissions import organisation_required, staff_required
from aptic.billing import selectors as billing
from aptic.core.errors import DomainError
from aptic.places.geojson import map_settings
from aptic.reporting.dashboard import funder_filter_options, funder_report
from aptic.reporting.filters import PERIOD_ONLY, FilterOptions, Filters, parse_filters
from aptic.reporting.maps import funder_map_points, funder_map_report
from aptic.reporting.national import national_report
from aptic.reporting.views import bad_request, report_export

from .selectors import funder_orders_progress, order_status_labels
from .services import dashboard_drilldown_record


def _filtered(request, options: FilterOptions, template: str, context: dict, build):
    """The page of a report under the filters of the URL; a French 400 with the filters form
    (and no figures) when they are wrong."""
    try:
        filters = parse_filters(request.GET, options=options)
    except DomainError as exc:
        context |= {"filters": Filters(options=options), "filters_error": exc.message}
        return render(request, template, context, status=400)
    return render(request, template, context | {"filters": filters, "report": build(filters)})


@organisation_required(kinds=[OrganisationKind.FUNDER])
def dashboard(request):
    """The home of the funder space: its figures and breakdowns, for its admins and members."""
    funder = request.organisation
    if "format" in request.GET:  # the same view as a file (ADR 0042)
        try:
            filters = parse_filters(request.GET, options=funder_filter_options(funder))
        except DomainError as exc:
            return bad_request(request, exc.message)
        report = funder_report(funder=funder, filters=filters)
        # The PDF's map: where the vouchers were used (the accepted places stay on the map page).
        points = funder_map_points(funder=funder, usage_filters=filters.lookups())
        report = dataclasses.replace(report, points=tuple(p for p in points if p.kind != "eligible"))
        return report_export(request, report, organisation=funder, slug="tableau-de-bord")
    return _filtered(
        request,
        funder_filter_options(funder),
        "funders/dashboard.html",
        {"funder": funder},
        lambda filters: funder_report(funder=funder, filters=filters),
    )


@staff_required
def staff_dashboard(request):
    """Usage across funders, by funder and by département, each funder linked to its dashboard."""

    def build(filters):
        def link(funder_id):
            return reverse("funders:staff_funder_dashboard", kwargs={"pk": funder_id}) + "?" + filters.query()

        return national_report(filters=filters, link=link)

    return _filtered(request, PERIOD_ONLY, "funders/staff_dashboard.html", {}, build)


@staff_required
def staff_funder_dashboard(request, pk):
    """A funder's dashboard as the funder sees it, read-only, each opening journaled."""
    funder = Organisation.objects.filter(pk=pk, kind=OrganisationKind.FUNDER).first()
    if funder is None:
        raise Http404("Ce commanditaire n'existe pas.")

    def build(filters):
        dashboard_drilldown_record(actor=request.user, funder=funder, filter_lines=filters.lines())
        return funder_report(funder=funder, filters=filters)

    context = {"funder": funder, "staff": True}
    return _filtered(request, funder_filter_options(funder), "funders/dashboard.html", context, build)


@organisation_required(kinds=[OrganisationKind.FUNDER])
def orders(request):
    return render(request, "funders/orders.html", {"rows": funder_orders_progress(request.organisation)})


@organisation_required(kinds=[OrganisationKind.FUNDER])
def commercial_orders(request):
    rows = billing.funder_pipeline(request.organisation)
    # One status per order, the Suivi page's (ADR 0023): an expired order reads "Expirée" on both.
    labels = order_status_labels(request.organisation)
    for row in rows:
        if row.order is not None:
            row.status_label = labels.get(row.order.pk, "")
    context = {"rows": rows}
    return render(request, "funders/commercial_orders.html", context)


@organisation_required(kinds=[OrganisationKind.FUNDER])
def usage_map(request):
    """The map of the funder's vouchers, under the dashboard's filters (the same GET names)."""
    funder = request.organisation
    return _filtered(
        request,
        funder_filter_options(funder),
        "funders/map.html",
        {"funder": funder, "map": map_settings()},
        lambda filters: funder_map_report(funder=funder, filters=filters),
    )
