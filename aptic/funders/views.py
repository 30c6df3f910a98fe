from django.shortcuts import render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required

from .selectors import funder_orders_progress


@organisation_required(kinds=[OrganisationKind.FUNDER])
def orders(request):
    return render(request, "funders/orders.html", {"rows": funder_orders_progress(request.organisation)})
