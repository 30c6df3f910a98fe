"""The provider's counter (test and redeem vouchers) and its redemptions (list, receipt, cancel).

Open to administrators and members of a provider. Everything is fetched through
request.organisation (ADR 0004): another provider's redemption is a 404. The counter works by
typing alone; counter.js adds the camera, a field per scanned code and the choice of service by place.
"""

import secrets
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.core.params import parse_id
from aptic.providers.selectors import is_labelled_now

from .. import redemption_export, selectors
from ..forms import CancelForm, CounterForm, RedemptionFilterForm
from ..redemption import (
    CodeResult,
    RedemptionRefused,
    redemption_cancel,
    redemption_create,
    redemption_preview,
    vouchers_check,
)
from ..rules import CANCEL_WINDOW

PROVIDERS = [OrganisationKind.PROVIDER]
PER_PAGE = 50


def new_key() -> str:
    """The counter form's idempotency key: a double tap on Encaisser records one redemption."""
    return "web-" + secrets.token_urlsafe(18)


@dataclass
class CodeRow:
    """One code field of the counter, with what the last check or refusal said about it."""

    typed: str = ""
    result: CodeResult | None = None
    autofocus: bool = False

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.ok

    @property
    def problem(self) -> str:
        return self.result.problem if self.result is not None else ""


def _rows(typed: list[str], results: list[CodeResult] | None = None, *, blank: bool = False) -> list[CodeRow]:
    rows = [CodeRow(r.typed, r) for r in results] if results else [CodeRow(t) for t in typed]
    if blank or not rows:
        rows.append(CodeRow(autofocus=True))
    elif first_bad := next((row for row in rows if row.problem), None):
        first_bad.autofocus = True
    return rows


def _counter_url(organisation, **query) -> str:
    url = reverse("vouchers:counter", kwargs={"org_slug": organisation.slug})
    query = {k: v for k, v in query.items() if v}
    return f"{url}?{urlencode(query)}" if query else url


@organisation_required(kinds=PROVIDERS)
def counter(request):
    organisation = request.organisation
    context = {"organisation": organisation}
    if not is_labelled_now(organisation.pk):  # cached: the counter is the busiest page at workshop time
        return render(request, "vouchers/counter.html", {**context, "not_labelled": True})
    offers = selectors.counter_offers(organisation)
    if not offers:
        return render(request, "vouchers/counter.html", {**context, "no_offer": True})
    context["receipt"] = None
    if request.method != "POST":
        if "recu" in request.GET:
            receipt_id = parse_id(request.GET["recu"])
            receipt = selectors.redemption_of(organisation, receipt_id) if receipt_id else None
            if receipt is None:
                raise Http404("Cet encaissement n'existe pas.")
            context["receipt"] = receipt
        initial = {"cle": new_key()}
        for name in ("lieu", "service"):
            if (value := parse_id(request.GET.get(name))) is not None:
                initial[name] = value
        form = CounterForm(initial=initial, offers=offers)
        return render(request, "vouchers/counter.html", {**context, "form": form, "rows": _rows([])})

    form = CounterForm(request.POST, offers=offers)
    action = request.POST.get("action", "verifier")
    if action == "ajouter":
        # A field more (without JavaScript; also what a scanner's Enter key does). Nothing is looked up.
        # An unbound form: a field more is not a submission, so no error is shown yet.
        initial = {name: parse_id(request.POST.get(name)) or "" for name in ("lieu", "service")}
        initial["cle"] = request.POST.get("cle", "")
        rows = _rows(form.typed_codes(), blank=True)
        form = CounterForm(initial=initial, offers=offers)
        return render(request, "vouchers/counter.html", {**context, "form": form, "rows": rows})
    if not form.is_valid():
        rows = _rows(form.typed_codes())
        return render(request, "vouchers/counter.html", {**context, "form": form, "rows": rows}, status=400)

    typed = form.cleaned_data["code"]
    arguments = {"provider": organisation, "place": form.place, "offer": form.offer, "codes": typed}
    try:
        if action == "encaisser":
            made = redemption_create(**arguments, user=request.user, idempotency_key=form.cleaned_data.get("cle") or "")
            if made.replayed:
                messages.info(request, "Cet encaissement avait déjà été enregistré : le voici.")
            return redirect(
                _counter_url(organisation, recu=made.redemption.pk, lieu=form.place.pk, service=form.offer.pk)
            )
        results = vouchers_check(**arguments)
    except RedemptionRefused as exc:
        form.add_error(None, exc.message)
        rows = _rows(typed, exc.results)
        return render(
            request, "vouchers/counter.html", {**context, "form": form, "rows": rows, "refused": True}, status=400
        )
    except DomainError as exc:
        if exc.code == "idempotency_conflict":
            # The page was used for an earlier redemption (browser's back button): a fresh key.
            form.data = form.data.copy()
            form.data["cle"] = new_key()
            exc = DomainError(
                "Ce formulaire a déjà servi à un encaissement : vérifiez les codes, puis encaissez à nouveau."
            )
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        rows = _rows(typed)
        return render(request, "vouchers/counter.html", {**context, "form": form, "rows": rows}, status=400)
    rows = _rows(typed, results)
    context.update(form=form, rows=rows, checked=True, all_ok=all(r.ok for r in results))
    context["preview"] = redemption_preview(results=results, offer=form.offer)
    context["valid_count"] = sum(r.ok for r in results)
    return render(request, "vouchers/counter.html", context)


def _redemptions_filtered(request):
    """The filter form of "Mes encaissements" and what it selects (everything when it is invalid)."""
    organisation = request.organisation
    places = list(organisation.places.order_by("name").only("pk", "name"))
    months = selectors.redemption_months(organisation)
    form = RedemptionFilterForm(request.GET or None, places=places, months=months)
    month = place_id = None
    if form.is_bound and form.is_valid():
        month, place_id = form.cleaned_data["mois"], form.cleaned_data["lieu"]
    found = selectors.redemptions_of(organisation, month=month, place_id=place_id)
    return form, places, month, place_id, found


@organisation_required(kinds=PROVIDERS)
def redemptions(request):
    organisation = request.organisation
    form, places, month, place_id, found = _redemptions_filtered(request)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page") or 1)
    for item in page.object_list:
        item.cancellable = selectors.can_cancel(item)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "organisation": organisation,
        "form": form,
        "page": page,
        "totals": selectors.redemption_totals(found),
        "month": month,
        "place": next((p for p in places if p.pk == place_id), None),
        "query": query.urlencode(),
    }
    return render(request, "vouchers/redemptions.html", context, status=400 if form.errors else 200)


@organisation_required(kinds=PROVIDERS)
def redemptions_export(request, fmt):
    """ "Mes encaissements" as a file, under the page's filters: a bad format or filter is a 400."""
    form, _, _, _, found = _redemptions_filtered(request)
    if fmt not in redemption_export.FORMATS or form.errors:
        raise BadRequest("Export impossible : format ou filtre inconnu.")
    return redemption_export.response(found, fmt, request.organisation)


@organisation_required(kinds=PROVIDERS)
def redemption(request, pk):
    """A redemption's receipt; POST cancels it (within 24 hours, with a reason)."""
    organisation = request.organisation
    found = selectors.redemption_of(organisation, pk)
    if found is None:
        raise Http404("Cet encaissement n'existe pas.")
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            redemption_cancel(redemption=found, user=request.user, reason=form.cleaned_data["motif"])
        except DomainError as exc:
            form.add_error("motif" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(
                request,
                f"L'encaissement n° {found.pk} est annulé : "
                + (
                    "son chèque est de nouveau utilisable."
                    if found.voucher_count < 2
                    else f"ses {formats.count(found.voucher_count, 'chèque')} sont de nouveau utilisables."
                ),
            )
            return redirect("vouchers:redemption", org_slug=organisation.slug, pk=found.pk)
    context = {
        "organisation": organisation,
        "redemption": found,
        "form": form,
        "cancellable": selectors.can_cancel(found),
        "cancel_until": found.created_at + CANCEL_WINDOW,
    }
    return render(request, "vouchers/redemption.html", context, status=400 if form.errors else 200)
