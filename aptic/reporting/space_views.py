"""The distributor's and the provider's dashboards (issue #14 items 6, 7; ADR 0041).

Both render a `Report` through reporting/_report.html under the period filter of the URL
(reporting.filters); they live here rather than in their apps because distribution, providers and
payouts sit below reporting (ADR 0030). Members and admins read; each sees its own organisation
only (`organisation_required`)."""

from django.shortcuts import render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.core.errors import DomainError
from aptic.providers.selectors import is_labelled_now

from .distributor import DORMANT_DAYS, distributor_report
from .filters import FilterOptions, Filters, parse_filters
from .provider import provider_report

# The period is the only filter of these dashboards: any other name of the URL is refused.
PERIOD_ONLY = FilterOptions()


def _dashboard(request, build, template: str, **extra):
    context = {"organisation": request.organisation, **extra}
    try:
        filters = parse_filters(request.GET, options=PERIOD_ONLY)
    except DomainError as exc:
        context |= {"filters": Filters(options=PERIOD_ONLY), "filters_error": exc.message, "report": None}
        return render(request, template, context, status=400)
    report = build(request.organisation, filters)
    return render(request, template, context | {"filters": filters, "report": report})


@organisation_required(kinds=[OrganisationKind.DISTRIBUTOR])
def distributor_dashboard(request):
    return _dashboard(request, distributor_report, "reporting/distributor.html", dormant_days=DORMANT_DAYS)


@organisation_required(kinds=[OrganisationKind.PROVIDER])
def provider_dashboard(request):
    labelled = is_labelled_now(request.organisation.pk)
    return _dashboard(request, provider_report, "reporting/provider.html", labelled=labelled)
