"""The public voucher page, what its QR code opens: state, validity, where to use it, and the
rating of the service it paid.

Whoever holds the code holds the voucher, so the code is the only key: every lookup is counted per
address (throttle.py) and an unknown or malformed code says nothing beyond "code inconnu" or the
typing error. The map's places come through a signed, short-lived token naming the order, so that
the GeoJSON is not one more way of testing codes.
"""

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page

from aptic.core import throttle
from aptic.core.access import public
from aptic.core.errors import DomainError
from aptic.places.geojson import feature_collection

from .. import codes, ratings, selectors
from ..forms import LookupForm, RatingForm
from ..models import Order, RatingStatus

MAP_SALT = "aptic.vouchers.places-map"
MAP_TOKEN_AGE = 60 * 60 * 24  # a page left open for a day still shows its map
PLACES_PER_PAGE = 20
UNKNOWN = "Code inconnu : aucun chèque ne porte ce code. Vérifiez chaque caractère, ou scannez à nouveau le QR code."


def _too_many(request, verdict: throttle.Verdict) -> HttpResponse:
    minutes = max(1, round(verdict.retry_after / 60))
    response = render(request, "vouchers/too_many_lookups.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _not_found(request, typed: str, problem: str) -> HttpResponse:
    form = LookupForm(initial={"code": typed[:64]})
    return render(request, "vouchers/lookup.html", {"form": form, "problem": problem}, status=404)


@public
@never_cache
def lookup(request):
    """A form to type a code (GET, like the QR code's link): a well-formed code goes to its page."""
    if "code" not in request.GET:
        return render(request, "vouchers/lookup.html", {"form": LookupForm()})
    form = LookupForm(request.GET)
    if form.is_valid():
        return redirect("vouchers:public", code=form.cleaned_data["code"])
    verdict = throttle.lookup_hit(request)  # a failed lookup counts too
    if not verdict.allowed:
        return _too_many(request, verdict)
    return render(request, "vouchers/lookup.html", {"form": form}, status=400)


@public
@never_cache
def public_voucher(request, code):
    verdict = throttle.lookup_hit(request)
    if not verdict.allowed:
        return _too_many(request, verdict)
    try:
        normalised = codes.normalise(code)
    except codes.CodeError as exc:
        return _not_found(request, code, str(exc))
    voucher = selectors.voucher_by_code(normalised)
    if voucher is None:
        return _not_found(request, code, UNKNOWN)

    state = selectors.voucher_state(voucher)
    redemption = ratings.ratable_redemption(voucher)
    given = ratings.rating_of_redemption(redemption) if redemption else None
    rating_form = None
    if redemption is not None and given is None:
        rating_form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if rating_form is None:
            return redirect(request.path)
        if rating_form.is_valid():
            try:
                given = ratings.rating_create(
                    voucher=voucher,
                    score=rating_form.cleaned_data["note"],
                    comment=rating_form.cleaned_data["commentaire"],
                )
            except DomainError as exc:
                field = {"score": "note", "comment": "commentaire"}.get(exc.field)
                rating_form.add_error(field, exc.message)
            else:
                messages.success(request, _thanks(given))
                return redirect(request.path)

    context = {
        "voucher": voucher,
        "order": voucher.order,
        "state": state,
        "redemption": redemption,
        "given": given,
        "rating_form": rating_form,
    }
    if state.usable:
        places = selectors.places_for_order_page(voucher.order)
        context["show_places"] = True
        context["places"] = Paginator(places, PLACES_PER_PAGE).get_page(request.GET.get("page") or 1)
        context["map"] = {"tile_url": settings.APTIC_MAP_TILE_URL, "attribution": settings.APTIC_MAP_ATTRIBUTION}
        token = signing.dumps(voucher.order_id, salt=MAP_SALT)
        context["geojson_url"] = f"{reverse('vouchers:places_geojson')}?t={token}"
    status = 400 if rating_form is not None and rating_form.errors else 200
    response = render(request, "vouchers/public.html", context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _thanks(rating) -> str:
    if rating.status == RatingStatus.HELD:
        return "Merci pour votre avis ! Votre note est enregistrée ; votre commentaire sera publié après relecture."
    return "Merci pour votre avis ! Il aide d'autres personnes à choisir un lieu."


@public
@gzip_page
def places_geojson(request):
    """The places of the map of a voucher page (GeoJSON, as the catalogue's map reads it)."""
    try:
        order_id = signing.loads(request.GET.get("t", ""), salt=MAP_SALT, max_age=MAP_TOKEN_AGE)
        order = Order.objects.get(pk=int(order_id))
    except (signing.BadSignature, Order.DoesNotExist, TypeError, ValueError):
        raise Http404("Carte indisponible : rechargez la page du chèque.") from None
    body = feature_collection(selectors.map_rows_for_order(order))
    return HttpResponse(body, content_type="application/geo+json; charset=utf-8")
