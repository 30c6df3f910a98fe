"""The counter's operations: test vouchers, redeem them, cancel a redemption, list redemptions.

Thin, as views are (ADR 0003): parse, resolve the place/offer/redemption, call one service of
aptic.vouchers.redemption, shape the answer. Rules and their French refusals live in the service.
"""

import datetime

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from aptic.places.models import Offer, Place
from aptic.vouchers.caches import counter_offer
from aptic.vouchers.models import Order, Redemption, RedemptionLine
from aptic.vouchers.redemption import (
    AlreadyReimbursed,
    redemption_cancel,
    redemption_create,
    vouchers_check,
)
from aptic.vouchers.rules import CANCEL_WINDOW
from aptic.vouchers.selectors import redemptions_of

from .errors import ApiError
from .schemas import (
    MAX_ID,
    CancelIn,
    CheckIn,
    CheckOut,
    Error,
    RedemptionFilters,
    RedemptionIn,
    RedemptionOut,
    RedemptionPage,
)

router = Router(tags=["Encaissement"])

IDEMPOTENCY_MAX = 100
REPLAY_HEADER = "Idempotent-Replayed"


def _errors(*statuses: int) -> dict:
    return dict.fromkeys(statuses, Error)


COMMON = (400, 401, 403, 413, 415)


def _place(place_id: int) -> Place:
    place = Place.objects.select_related("commune").filter(pk=place_id).first()
    if place is None:
        raise ApiError(404, "place_not_found", f"Aucun lieu ne porte le numéro {place_id}.")
    return place


def _counter(place_id: int, offer_id: int | None) -> tuple[Place, Offer | None]:
    """The place and the offer; one query when the offer is the place's (the usual case at a counter).

    An offer of another place is returned as it is: the service refuses it with its own message."""
    offer = None
    if offer_id is not None:
        offer = counter_offer(offer_id)
        if offer is not None and offer.place_id == place_id:
            return offer.place, offer
    place = _place(place_id)
    if offer_id is not None and offer is None:
        raise ApiError(404, "offer_not_found", f"Aucun service ne porte le numéro {offer_id}.")
    return place, offer


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment) if moment else None


def _serials(redemption_ids) -> dict[int, list[str]]:
    """The printed numbers of each redemption's vouchers, in one light query (no model rows)."""
    serials = {pk: [] for pk in redemption_ids}
    lines = (
        RedemptionLine.objects.filter(redemption_id__in=redemption_ids)
        .order_by("pk")
        .values_list("redemption_id", "voucher__order_id", "voucher__order__valid_from", "voucher__sequence")
    )
    for redemption_id, order_id, valid_from, sequence in lines:
        serials[redemption_id].append(Order(pk=order_id, valid_from=valid_from).serial(sequence))
    return serials


def _out(redemption: Redemption, serials: list[str] | None = None) -> dict:
    if serials is None:
        serials = _serials([redemption.pk])[redemption.pk]
    return {
        "id": redemption.pk,
        "place": {"id": redemption.place_id, "name": redemption.place.name},
        "offer": {"id": redemption.offer_id, "title": redemption.offer.title},
        "price_cents": redemption.price_cents,
        "covered_cents": redemption.covered_cents,
        "remainder_cents": redemption.remainder_cents,
        "vouchers": serials,
        "created_at": _local(redemption.created_at),
        "cancellable_until": None if redemption.cancelled_at else _local(redemption.created_at + CANCEL_WINDOW),
        "cancelled_at": _local(redemption.cancelled_at),
        "cancel_reason": redemption.cancel_reason,
    }


@router.post(
    "/vouchers/check",
    response={200: CheckOut, **_errors(*COMMON, 404, 422)},
    operation_id="vouchers_check",
    summary="Tester des chèques sans les encaisser",
    description=(
        "Dit, code par code, si les chèques seraient acceptés dans ce lieu (et pour ce service, s'il est "
        "donné) : état du chèque, dates, règles d'usage du commanditaire. Rien n'est écrit. Un code refusé "
        "n'est pas une erreur : la réponse est 200 avec `ok: false` et le motif en français.\n\n"
        "Erreurs : 403 `not_labelled`, `forbidden_place` ; 404 `place_not_found`, `offer_not_found` ; "
        "422 `offer_mismatch`, `offer_not_accepted`, `offer_free`."
    ),
)
def check(request, payload: CheckIn):
    place, offer = _counter(payload.place_id, payload.offer_id)
    results = vouchers_check(provider=request.auth.organisation, place=place, offer=offer, codes=payload.codes)
    codes = []
    for index, result in enumerate(results):
        voucher = result.voucher
        codes.append(
            {
                "index": index,
                "code": result.typed,
                "ok": result.ok,
                "problem": result.problem,
                "serial": voucher.serial if voucher else None,
                "valid_until": voucher.order.valid_until if voucher else None,
                "face_value_cents": voucher.order.face_value_cents if voucher else None,
            }
        )
    return Status(200, {"ok": all(r.ok for r in results), "codes": codes})


def _idempotency_key(raw: str | None) -> str:
    key = (raw or "").strip()
    if len(key) > IDEMPOTENCY_MAX or any(not " " <= ch <= "~" for ch in key):
        raise ApiError(
            400,
            "invalid_idempotency_key",
            f"L'en-tête Idempotency-Key doit compter {IDEMPOTENCY_MAX} caractères ASCII imprimables au plus.",
        )
    return key


@router.post(
    "/redemptions",
    response={201: RedemptionOut, 200: RedemptionOut, **_errors(*COMMON, 404, 409, 422)},
    operation_id="redemption_create",
    openapi_extra={
        # Read by the view itself (its own error code); declared here for the OpenAPI document.
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "description": "Clé choisie par la caisse pour rejouer sans risque (par exemple un UUID).",
                "schema": {"type": "string", "maxLength": IDEMPOTENCY_MAX, "pattern": "^[ -~]*$"},
            }
        ],
        "responses": {
            status: {
                "links": {
                    "cancel": {
                        "operationId": "redemption_cancel",
                        "parameters": {"redemption_id": "$response.body#/id"},
                    }
                },
                **(
                    {"headers": {REPLAY_HEADER: {"schema": {"type": "string", "enum": ["true"]}}}}
                    if status == 200
                    else {}
                ),
            }
            for status in (200, 201)  # ninja keys its responses by int
        },
    },
    summary="Encaisser des chèques pour un service rendu",
    description=(
        "Tous les chèques sont encaissés, ou aucun. 201 avec l'utilisation créée.\n\n"
        "**Idempotence** : avec l'en-tête `Idempotency-Key` (100 caractères au plus, par exemple un UUID "
        "tiré par la caisse), une requête rejouée (réseau coupé, délai dépassé) ne paie pas deux fois : elle "
        f"reçoit 200, l'en-tête `{REPLAY_HEADER}: true` et l'utilisation déjà créée (dans son état actuel). "
        "La même clé pour une autre demande (lieu, service ou codes différents) donne 409 "
        "`idempotency_conflict`. Seuls les succès sont mémorisés : une requête refusée peut être reprise.\n\n"
        "Erreurs : 403 `not_labelled`, `forbidden_place` ; 404 `place_not_found`, `offer_not_found` ; "
        "409 `idempotency_conflict` ; 422 `vouchers_refused` (liste `codes` : rang, code, motif), "
        "`too_many_vouchers` (la monnaie n'est pas rendue), `offer_mismatch`, `offer_not_accepted`, `offer_free`."
    ),
)
def redeem(
    request,
    payload: RedemptionIn,
    response: HttpResponse,
):
    actor = request.auth
    key = _idempotency_key(request.headers.get("Idempotency-Key"))
    place, offer = _counter(payload.place_id, payload.offer_id)
    # A twin request with the same key that commits first is answered by the service (replay or 409).
    made = redemption_create(
        provider=actor.organisation, place=place, offer=offer, codes=payload.codes, user=actor.user, idempotency_key=key
    )
    if made.replayed:
        response[REPLAY_HEADER] = "true"
        return Status(200, _out(made.redemption))
    return Status(201, _out(made.redemption, list(made.serials)))


@router.post(
    "/redemptions/{redemption_id}/cancel",
    response={200: RedemptionOut, **_errors(*COMMON, 404, 409)},
    operation_id="redemption_cancel",
    summary="Annuler une utilisation (dans les 24 heures)",
    description=(
        "Les chèques redeviennent utilisables. Seules les utilisations de votre structure sont visibles : "
        "un autre numéro donne 404.\n\n"
        "Erreurs : 404 `redemption_not_found` ; 409 `already_cancelled`, `too_late` (plus de 24 heures), "
        "`already_reimbursed`."
    ),
)
def cancel(request, redemption_id: int, payload: CancelIn):
    actor = request.auth
    redemption = None
    if 0 < redemption_id <= MAX_ID:
        redemption = Redemption.objects.filter(pk=redemption_id, provider=actor.organisation).first()
    if redemption is None:
        raise ApiError(404, "redemption_not_found", f"Aucune utilisation n° {redemption_id} dans votre structure.")
    try:
        redemption = redemption_cancel(redemption=redemption, user=actor.user, reason=payload.reason)
    except AlreadyReimbursed as exc:
        raise ApiError(409, "already_reimbursed", exc.message) from exc
    return Status(200, _out(redemption))


# Any date is accepted; outside these, a bound excludes nothing and is dropped (no overflow near year 1 or 9999).
FIRST_DAY, LAST_DAY = datetime.date(1970, 1, 1), datetime.date(9000, 12, 31)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@router.get(
    "/redemptions",
    response={200: RedemptionPage, **_errors(400, 401, 403)},
    operation_id="redemptions_list",
    summary="Lister les utilisations de votre structure",
    description=(
        "Les plus récentes d'abord, par pages (`page`, `page_size` de 1 à 200). Filtres : `since` et `until` "
        "(dates AAAA-MM-JJ incluses, heure de Paris ; `since` après `until` : 400), `place_id`."
    ),
)
def redemptions(request, filters: Query[RedemptionFilters]):
    if filters.since and filters.until and filters.since > filters.until:
        raise ApiError(
            400,
            "invalid_request",
            "Requête invalide : since — la date de début doit précéder la date de fin (until).",
            details=[{"field": "since", "problem": "La date de début doit précéder la date de fin."}],
        )
    found = redemptions_of(
        request.auth.organisation,
        since=_start_of(min(filters.since, LAST_DAY)) if filters.since and filters.since > FIRST_DAY else None,
        before=(
            _start_of(max(filters.until, FIRST_DAY) + datetime.timedelta(days=1))
            if filters.until and filters.until < LAST_DAY
            else None
        ),
        place_id=filters.place_id or None,
    )
    start = (filters.page - 1) * filters.page_size
    page = list(found[start : start + filters.page_size])
    serials = _serials([r.pk for r in page])
    return Status(
        200,
        {
            "count": found.count(),
            "page": filters.page,
            "page_size": filters.page_size,
            "items": [_out(r, serials[r.pk]) for r in page],
        },
    )
