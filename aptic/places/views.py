"""Pages of places: the provider's space (its places and offers); the public catalogue is in aptic.directory.

Provider pages are open to every member of the provider (administrators and members alike); the
place is always fetched through request.organisation, so another provider's place is a 404.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.core.errors import DomainError

from . import selectors, services
from .forms import OfferForm, PlaceForm
from .geojson import map_settings

PROVIDERS = [OrganisationKind.PROVIDER]


def _add_domain_error(form, exc: DomainError, aliases: dict | None = None) -> None:
    """ADR 0003: a service's French message goes next to its field, or on top of the form."""
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _own_place(request, pk):
    return get_object_or_404(selectors.places_of(request.organisation), pk=pk)


def _own_offer(place, offer_pk):
    return get_object_or_404(place.offers.select_related("category", "place__commune"), pk=offer_pk)


# Provider space


@organisation_required(kinds=PROVIDERS)
def my_places(request):
    return render(
        request,
        "places/places.html",
        {
            "organisation": request.organisation,
            "places": selectors.places_of(request.organisation).order_by("name"),
            "is_labelled": selectors.is_labelled(request.organisation),
        },
    )


@organisation_required(kinds=PROVIDERS)
def place_create(request):
    form = PlaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            place = services.place_create(provider=request.organisation, **form.cleaned_data)
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, f"Le lieu « {place.name} » est enregistré. Ajoutez-y ses services.")
            return redirect("places:manage", org_slug=request.organisation.slug, pk=place.pk)
    return render(
        request,
        "places/place_form.html",
        {"organisation": request.organisation, "form": form, "place": None, "map": map_settings()},
        status=400 if form.errors else 200,
    )


@organisation_required(kinds=PROVIDERS)
def place_manage(request, pk):
    place = _own_place(request, pk)
    return render(
        request,
        "places/place_manage.html",
        {
            "organisation": request.organisation,
            "place": place,
            "offers": selectors.offers_of(place),
            "is_labelled": selectors.is_labelled(request.organisation),
        },
    )


@organisation_required(kinds=PROVIDERS)
def place_edit(request, pk):
    place = _own_place(request, pk)
    form = PlaceForm(request.POST if request.method == "POST" else None, place=place)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.place_update(place=place, **changes)
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, f"Le lieu « {place.name} » est mis à jour.")
            return redirect("places:manage", org_slug=request.organisation.slug, pk=place.pk)
    return render(
        request,
        "places/place_form.html",
        {"organisation": request.organisation, "form": form, "place": place, "map": map_settings()},
        status=400 if form.errors else 200,
    )


@organisation_required(kinds=PROVIDERS)
@require_POST
def place_publish(request, pk):
    place = _own_place(request, pk)
    publish = request.POST.get("is_published") == "1"
    services.place_set_published(place=place, is_published=publish)
    if publish:
        messages.success(request, f"Le lieu « {place.name} » est visible dans le catalogue public.")
    else:
        messages.success(request, f"Le lieu « {place.name} » est masqué : il n'apparaît plus dans le catalogue.")
    return redirect("places:manage", org_slug=request.organisation.slug, pk=place.pk)


@organisation_required(kinds=PROVIDERS)
def offer_create(request, pk):
    place = _own_place(request, pk)
    form = OfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_create(place=place, **form.service_arguments())
        except DomainError as exc:
            _add_domain_error(form, exc, OfferForm.SERVICE_FIELDS)
        else:
            messages.success(request, f"Le service « {offer.title} » est ajouté à {place.name}.")
            return redirect("places:manage", org_slug=request.organisation.slug, pk=place.pk)
    return render(
        request,
        "places/offer_form.html",
        {"organisation": request.organisation, "form": form, "place": place, "offer": None},
        status=400 if form.errors else 200,
    )


@organisation_required(kinds=PROVIDERS)
def offer_edit(request, pk, offer_pk):
    place = _own_place(request, pk)
    offer = _own_offer(place, offer_pk)
    form = OfferForm(request.POST if request.method == "POST" else None, offer=offer)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_update(offer=offer, **form.service_arguments())
        except DomainError as exc:
            _add_domain_error(form, exc, OfferForm.SERVICE_FIELDS)
        else:
            messages.success(request, f"Le service « {offer.title} » est mis à jour.")
            return redirect("places:manage", org_slug=request.organisation.slug, pk=place.pk)
    return render(
        request,
        "places/offer_form.html",
        {"organisation": request.organisation, "form": form, "place": place, "offer": offer},
        status=400 if form.errors else 200,
    )


@organisation_required(kinds=PROVIDERS)
@require_POST
def offer_set_active(request, pk, offer_pk):
    place = _own_place(request, pk)
    offer = _own_offer(place, offer_pk)
    active = request.POST.get("is_active") == "1"
    services.offer_set_active(offer=offer, is_active=active)
    if active:
        messages.success(request, f"Le service « {offer.title} » est de nouveau proposé.")
    else:
        messages.success(request, f"Le service « {offer.title} » n'est plus proposé : il n'apparaît plus au public.")
    return redirect("places:manage", org_slug=request.organisation.slug, pk=place.pk)


# Public catalogue
