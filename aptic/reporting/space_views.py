"""The distributor's and the provider's dashboards (issue #14 items 6, 7; ADR 0041).

Both render a `Report` through reporting/_report.html under the period filter of the URL
(reporting.filters), and with ?format=csv|xlsx|pdf give the same view as a file (ADR 0042). They
live here rather than in their apps because distribution, providers and payouts sit below
reporting (ADR 0030). Members and admins read; each sees its own organisation only
(`organisation_required`)."""

from django.shortcuts import render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.core.errors import DomainError
from aptic.providers.selectors import is_labelled_now

from .distributor import DORMANT_DAYS, distributor_report
from .filters import PERIOD_ONLY, FilterOptions, Filters, parse_filters
from .provider import provider_report
from .views import bad_request, report_export


def report_page(request, *, options: FilterOptions, template: str, context: dict, build, slug: str):
    """A dashboard under the filters of the URL, or with ?format= the same view as a file; a
    French 400 (the page with its filters form and no figures, or the error page for a file)
    when the filters are wrong."""
    wants_file = "format" in request.GET
    try:
        filters = parse_filters(request.GET, options=options)
    except DomainError as exc:
        if wants_file:
            return bad_request(request, exc.message)
        context = context | {"filters": Filters(options=options), "filters_error": exc.message}
        return render(request, template, context, status=400)
    report = build(filters)
    if wants_file:
        return report_export(request, report, organisation=request.organisation, slug=slug)
    return render(request, template, context | {"filters": filters, "report": report})


@organisation_required(kinds=[OrganisationKind.DISTRIBUTOR])
def distributor_dashboard(request):
    organisation = request.organisation
    return report_page(
        request,
        options=PERIOD_ONLY,
        template="reporting/distributor.html",
        context={"organisation": organisation, "dormant_days": DORMANT_DAYS},
        build=lambda filters: distributor_report(organisation, filters),
        slug="tableau-de-bord-remises",
    )


@organisation_required(kinds=[OrganisationKind.PROVIDER])
def provider_dashboard(request):
    organisation = request.organisation
    return report_page(
        request,
        options=PERIOD_ONLY,
        template="reporting/provider.html",
        context={"organisation": organisation, "labelled": is_labelled_now(organisation.pk)},
        build=lambda filters: provider_report(organisation, filters),
        slug="tableau-de-bord-encaissements",
    )
