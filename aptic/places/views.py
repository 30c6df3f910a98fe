from django.shortcuts import render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required

from .selectors import places_of


@organisation_required(kinds=[OrganisationKind.PROVIDER])
def my_places(request):
    return render(
        request,
        "places/places.html",
        {"organisation": request.organisation, "places": places_of(request.organisation)},
    )
