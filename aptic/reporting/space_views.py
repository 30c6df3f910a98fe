"""The distributor's and the provider's dashboards (issue #14 items 6, 7; ADR 0041).

Both render a `Report` through reporting/_report.html under the period filter of the URL
(reporting.filters), and with ?format=csv|xlsx|pdf give the same view as a file (ADR 0042). They
live here rather than in their apps because distribution, providers and payouts sit below
reporting (ADR 0030). Members and admins read; each sees its own organisation only
(`organisation_required`)."""

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.providers.selectors import is_labelled_now

from .distributor import DORMANT_DAYS, distributor_report
from .filters import PERIOD_ONLY
from .provider import provider_report
from .views import report_page


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
