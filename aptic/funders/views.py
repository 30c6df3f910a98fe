from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.accounts.permissions import organisation_required, staff_required
from aptic.billing import selectors as billing
from aptic.core.errors import DomainError
from aptic.reporting.dashboard import funder_filter_options, funder_report
from aptic.reporting.filters import FilterOptions, Filters, parse_filters
from aptic.reporting.national import national_report

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

    return _filtered(request, FilterOptions(), "funders/staff_dashboard.html", {}, build)


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
