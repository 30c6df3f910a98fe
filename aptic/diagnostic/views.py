from django.http import Http404
from django.shortcuts import redirect, render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.core.access import public
from aptic.core.disclosure import MIN_PUBLISHED_VOUCHERS
from aptic.places.geojson import map_settings
from aptic.providers.selectors import funder_territory
from aptic.territories.forms import CommuneLookupForm

from .compute import THRESHOLDS_KM
from .forms import CategoryForm
from .models import Level
from .needs import priority_publics, training_needs
from .selectors import BANDS, FRANCE, categories, diagnostic, territory

NOT_FOUND = {
    Level.REGION: "Aucune région n'a ce code.",
    Level.DEPARTEMENT: "Aucun département n'a ce code.",
    Level.EPCI: "Aucune intercommunalité n'a ce numéro SIREN.",
    Level.COMMUNE: "Aucune commune actuelle n'a ce code INSEE.",
}


def _page(request, place, *, funder=None, extra=None):
    form = CategoryForm(request.GET, categories=categories())
    category = form.category()
    context = {
        "form": form,
        "category": category,
        "bands": BANDS,
        "map": map_settings(),
        "thresholds": THRESHOLDS_KM,
        "min_published": MIN_PUBLISHED_VOUCHERS,
        "funder": funder,
        **(extra or {}),
    }
    if place.level != Level.FRANCE:
        context["needs"] = training_needs(place.level, place.code)
        context["publics"] = priority_publics(place.level, place.code)
    if category is not None:
        context["diagnostic"] = diagnostic(place, category, funder_id=funder.pk if funder else None)
    else:
        context["diagnostic"] = None
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "diagnostic/territory.html", context | {"territory": place}, status=status)


@public
def france(request):
    """The diagnostic of France, and the search of a commune's (the menu's "Territoires")."""
    lookup = CommuneLookupForm(request.GET if "commune" in request.GET else None)
    if lookup.is_bound and lookup.is_valid():
        return redirect("diagnostic:commune", code=lookup.cleaned_data["commune"].insee_code)
    response = _page(request, FRANCE, extra={"lookup": lookup})
    if lookup.is_bound:  # a commune that could not be found: the form says why
        response.status_code = 400
    return response


@public
def territory_page(request, level, code):
    place = territory(level, code)
    if place is None:
        raise Http404(NOT_FOUND[level])
    return _page(request, place)


@organisation_required(kinds=[OrganisationKind.FUNDER])
def funder_page(request):
    """The diagnostic of the funder's territory, with its own uses beside the public figures."""
    funder = request.organisation
    known = funder_territory(funder)
    place = territory(known.kind, known.code) if known else None
    if place is None:
        return render(request, "diagnostic/no_territory.html", {"funder": funder})
    return _page(request, place, funder=funder)
