from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.core.access import public
from aptic.core.disclosure import MIN_PUBLISHED_VOUCHERS
from aptic.places.geojson import map_settings
from aptic.providers.selectors import funder_territory
from aptic.reporting.branding import brand_logo, is_white_label
from aptic.reporting.views import bad_request
from aptic.territories.forms import CommuneLookupForm

from .compute import THRESHOLDS_KM
from .forms import CategoryForm
from .models import Level
from .needs import priority_publics, training_needs
from .report_pdf import MAX_KILOBYTES, diagnostic_pdf
from .selectors import BANDS, FRANCE, categories, diagnostic, territory

NOT_FOUND = {
    Level.REGION: "Aucune région n'a ce code.",
    Level.DEPARTEMENT: "Aucun département n'a ce code.",
    Level.EPCI: "Aucune intercommunalité n'a ce numéro SIREN.",
    Level.COMMUNE: "Aucune commune actuelle n'a ce code INSEE.",
}
REPORT_FORMAT = "pdf"
UNKNOWN_FORMAT = "Format inconnu : le rapport du diagnostic s'obtient en PDF (format=pdf)."


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
        "report_kilobytes": MAX_KILOBYTES,
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


def _report(request, place, *, funder=None):
    """?format=pdf: the page's diagnostic as an A4 report (ADR 0056), for the category the page's
    map shows; a French 400 for another format or an unknown category, a French page (404) when
    the diagnostic has not been computed yet."""
    if request.GET.get("format") != REPORT_FORMAT:
        return bad_request(request, UNKNOWN_FORMAT)
    form = CategoryForm(request.GET, categories=categories())
    if form.errors:
        return bad_request(request, " ".join(form.errors.get("categorie", [])))
    category = form.category()
    found = diagnostic(place, category, funder_id=funder.pk if funder else None) if category else None
    if found is None or found.run is None:
        return render(request, "diagnostic/no_report.html", {"territory": place}, status=404)
    brand = logo = None
    if funder is not None and is_white_label(funder):
        brand, logo = funder.name, brand_logo(funder)
    edited_at = timezone.now()
    data = diagnostic_pdf(
        found,
        needs=training_needs(place.level, place.code) if place.level != Level.FRANCE else None,
        publics=priority_publics(place.level, place.code) if place.level != Level.FRANCE else None,
        edited_at=edited_at,
        funder_name=funder.name if funder else None,
        brand=brand,
        logo=logo,
    )
    response = HttpResponse(data, content_type="application/pdf")
    name = funder.slug if funder else "-".join(part for part in (place.level, place.code) if part)
    day = timezone.localtime(edited_at).date()
    response["Content-Disposition"] = f'attachment; filename="diagnostic-{name}-{day:%Y-%m-%d}.pdf"'
    if funder is not None:
        response["Cache-Control"] = "private, no-store"
    return response


@public
def france(request):
    """The diagnostic of France, and the search of a commune's (the menu's "Territoires")."""
    if "format" in request.GET:
        return _report(request, FRANCE)
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
    if "format" in request.GET:
        return _report(request, place)
    return _page(request, place)


@organisation_required(kinds=[OrganisationKind.FUNDER])
def funder_page(request):
    """The diagnostic of the funder's territory, with its own uses beside the public figures."""
    funder = request.organisation
    known = funder_territory(funder)
    place = territory(known.kind, known.code) if known else None
    if place is None:
        status = 404 if "format" in request.GET else 200  # no file to give: the page says why
        return render(request, "diagnostic/no_territory.html", {"funder": funder}, status=status)
    if "format" in request.GET:
        return _report(request, place, funder=funder)
    return _page(request, place, funder=funder)
