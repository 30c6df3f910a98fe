import dataclasses

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.accounts.permissions import organisation_required, staff_required
from aptic.billing import selectors as billing
from aptic.places.geojson import map_settings
from aptic.reporting.dashboard import funder_filter_options, funder_report
from aptic.reporting.filters import PERIOD_ONLY
from aptic.reporting.maps import funder_map_points, funder_map_report
from aptic.reporting.national import national_report
from aptic.reporting.views import report_page

from .selectors import funder_orders_progress, order_status_labels
from .services import dashboard_drilldown_record


def _with_map(funder, report, filters):
    """The dashboard's files carry a map: where the vouchers were used (the accepted places stay
    on the map page)."""
    points = funder_map_points(funder=funder, usage_filters=filters.lookups())
    return dataclasses.replace(report, points=tuple(p for p in points if p.kind != "eligible"))


@organisation_required(kinds=[OrganisationKind.FUNDER])
def dashboard(request):
    """The home of the funder space: its figures and breakdowns, for its admins and members."""
    funder = request.organisation

    return report_page(
        request,
        options=funder_filter_options(funder),
        template="funders/dashboard.html",
        context={"funder": funder},
        build=lambda filters: funder_report(funder=funder, filters=filters),
        slug="tableau-de-bord",
        build_file=lambda filters: _with_map(funder, funder_report(funder=funder, filters=filters), filters),
    )


@staff_required
def staff_dashboard(request):
    """Usage across funders, by funder and by département, each funder linked to its dashboard."""

    def build(filters):
        def link(funder_id):
            return reverse("funders:staff_funder_dashboard", kwargs={"pk": funder_id}) + "?" + filters.query()

        return national_report(filters=filters, link=link)

    return report_page(request, options=PERIOD_ONLY, template="funders/staff_dashboard.html", context={}, build=build)


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
    return report_page(
        request,
        options=funder_filter_options(funder),
        template="funders/dashboard.html",
        context=context,
        build=build,
        slug=f"tableau-de-bord-{funder.slug}",
        build_file=lambda filters: _with_map(funder, build(filters), filters),
        owner=funder,  # the files the funder itself would get
    )


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
    return report_page(
        request,
        options=funder_filter_options(funder),
        template="funders/map.html",
        context={"funder": funder, "map": map_settings()},
        build=lambda filters: funder_map_report(funder=funder, filters=filters),
    )
