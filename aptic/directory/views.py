"""The public catalogue: the list of places with its filters, their map, and each place's page."""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.gzip import gzip_page

from aptic.core.access import public
from aptic.places import hours
from aptic.places.geojson import feature_collection, map_settings

from . import selectors
from .forms import PlaceSearchForm


@public
def catalogue(request):
    form = PlaceSearchForm(request.GET or None)
    result = None
    if not form.is_bound or form.is_valid():
        search = form.search() if form.is_bound else selectors.PlaceSearch()
        result = selectors.search_page(search, request.GET.get("page") or 1)
    return render(
        request,
        "directory/catalogue.html",
        {"form": form, "result": result, "map": map_settings(), "query": _query_without_page(request)},
        status=400 if form.errors else 200,
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@public
@gzip_page  # public data only (no token to leak through compression); 1.7 MB → about 0.3 MB for 10,000 places
def geojson(request):
    """The catalogue's places on the map, with the list's filters."""
    form = PlaceSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return JsonResponse({"errors": {name: list(errors) for name, errors in form.errors.items()}}, status=400)
    search = form.search() if form.is_bound else selectors.PlaceSearch()
    body = feature_collection(selectors.map_rows(search))
    return HttpResponse(body, content_type="application/geo+json; charset=utf-8")


@public
def detail(request, pk):
    place = selectors.public_place(pk)
    if place is None:
        raise Http404("Ce lieu n'existe pas ou n'est pas visible dans le catalogue.")
    return render(
        request,
        "directory/detail.html",
        {
            "place": place,
            "schedule": hours.schedule(place.opening_hours, departement=place.commune.departement_id),
            "rating": selectors.rating_of(place),
            "map": map_settings(),
        },
    )
