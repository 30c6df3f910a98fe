from django.shortcuts import render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.billing import selectors as billing

from .selectors import funder_orders_progress, order_status_labels


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
