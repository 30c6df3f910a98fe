"""Every answer of the API that is not a success: one JSON shape, a precise status, French words.

    {"error": "<machine code>", "message": "<une phrase en français>",
     "details": [{"field": "codes[3]", "problem": "…"}],          # malformed request (400)
     "codes": [{"index": 0, "code": "…", "problem": "…"}]}       # vouchers refused (422)

Statuses: 400 the request is malformed (not JSON, wrong types, missing fields, too many codes): the
calling software has a bug; 401 no or bad credentials; 403 authenticated but not allowed (not a
provider, provider not labelled, another provider's place, CSRF); 404 unknown place, offer or
redemption; 405 method; 409 conflicts with the current state (idempotency key reused, already
cancelled, too late); 413 body over API_MAX_BODY; 415 body that is not JSON; 422 well-formed but
refused by the rules of the product (vouchers refused, offer not payable); 500 never on bad input,
and then without any trace of the code.
"""

import logging
from functools import partial

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse
from django.http.request import RawPostDataException
from ninja.errors import AuthenticationError, HttpError, ValidationError

from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.vouchers.redemption import RedemptionRefused

logger = logging.getLogger(__name__)

API_MAX_BODY = 64 * 1024  # 50 codes take 2 KB; nothing legitimate comes near this
MAX_DETAILS = 20  # a list of thousands of wrong items is summarised, not echoed

# DomainError.code → HTTP status; codes not listed are refusals by a rule of the product (422).
DOMAIN_STATUS = {
    "forbidden": 403,
    "forbidden_place": 403,
    "not_labelled": 403,
    "idempotency_conflict": 409,
    "already_cancelled": 409,
    "too_late": 409,
}
# The service's generic code for refused vouchers, named for API clients.
DOMAIN_ERROR = {"refused": "vouchers_refused"}


class ApiError(Exception):
    """Raised anywhere in the API to answer with this status and JSON error."""

    def __init__(self, status: int, error: str, message: str, *, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message
        self.headers = headers or {}
        self.extra = extra


def error_body(error: str, message: str, **extra) -> dict:
    return {"error": error, "message": message, **{k: v for k, v in extra.items() if v is not None}}


def error_response(api, request, status: int, error: str, message: str, headers=None, **extra) -> HttpResponse:
    response = api.create_response(request, error_body(error, message, **extra), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- pydantic's validation errors, in French -------------------------------------------------------


def _french_problem(err: dict) -> str:
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing":
        return "Ce champ est obligatoire."
    if kind == "extra_forbidden":
        return "Ce champ n'existe pas."
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "Un nombre entier est attendu."
    if kind == "string_type":
        return "Une chaîne de caractères est attendue."
    if kind == "string_unicode":
        return "Ce texte contient des caractères Unicode invalides."
    if kind in ("list_type", "tuple_type", "set_type"):
        return "Une liste est attendue."
    if kind in ("dict_type", "model_type", "model_attributes_type", "dataclass_type"):
        return "Un objet JSON est attendu."
    if kind in ("bool_type", "bool_parsing"):
        return "Une valeur vrai/faux est attendue."
    if kind.startswith("date"):
        return "Une date au format AAAA-MM-JJ est attendue."
    if kind == "too_short":
        return f"Au moins {formats.count(ctx.get('min_length', 1), 'élément')}."
    if kind == "too_long":
        actual = f" ({ctx['actual_length']} reçus)" if ctx.get("actual_length") is not None else ""
        return f"Au plus {formats.count(ctx.get('max_length') or 0, 'élément')}{actual}."
    if kind == "string_too_short":
        return "Ce champ ne peut pas être vide." if ctx.get("min_length") == 1 else "Texte trop court."
    if kind == "string_pattern_mismatch":
        return "Ce champ doit contenir au moins un caractère visible."
    if kind == "string_too_long":
        return f"Au plus {ctx.get('max_length')} caractères."
    if kind == "greater_than":
        return f"La valeur doit être supérieure à {ctx.get('gt')}."
    if kind == "greater_than_equal":
        return f"La valeur doit être au moins {ctx.get('ge')}."
    if kind == "less_than":
        return f"La valeur doit être inférieure à {ctx.get('lt')}."
    if kind == "less_than_equal":
        return f"La valeur doit être au plus {ctx.get('le')}."
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])  # our own validators raise ValueError with a French sentence
    return "Valeur invalide."


def _field(loc) -> str:
    """('body', 'payload', 'codes', 3) → 'codes[3]'; ('query', 'since') → 'since'."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)  # the name of the view's body argument, meaningless to clients
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _validation_error(request, exc: ValidationError, api):
    details = []
    for err in exc.errors:
        field = _field(err.get("loc", ()))
        problem = _french_problem(err)
        if not field:
            field, problem = "(corps)", "Le corps de la requête doit être un objet JSON."
        details.append({"field": field, "problem": problem})
    first = details[0] if details else {"field": "", "problem": "Requête invalide."}
    message = f"Requête invalide : {first['field']} — {first['problem']}"
    if len(details) > 1:
        message += f" (et {formats.count(len(details) - 1, 'autre erreur', 'autres erreurs')})"
    if len(details) > MAX_DETAILS:
        details = details[:MAX_DETAILS]
    return error_response(api, request, 400, "invalid_request", message, details=details)


# --- handlers -------------------------------------------------------------------------------------


def _api_error(request, exc: ApiError, api):
    return error_response(api, request, exc.status, exc.error, exc.message, headers=exc.headers, **exc.extra)


def _not_authenticated(request, exc, api):
    return error_response(
        api,
        request,
        401,
        "not_authenticated",
        "Authentification requise : une clé d'API (en-tête « Authorization: Bearer aptic_… ») "
        "ou une session ouverte sur le site.",
        headers={"WWW-Authenticate": 'Bearer realm="aptic"'},
    )


def _http_error(request, exc: HttpError, api):
    # django-ninja raises HttpError(400, "Cannot parse request body") from the JSON decoder's error.
    if exc.status_code == 400:
        return error_response(
            api, request, 400, "invalid_json", "Le corps de la requête n'est pas du JSON valide (UTF-8)."
        )
    return error_response(api, request, exc.status_code, "http_error", "Requête refusée.")


def _not_found(request, exc, api):
    return error_response(api, request, 404, "not_found", "Ressource introuvable.")


def _refused(request, exc: RedemptionRefused, api):
    codes = [
        {"index": i, "code": result.typed, "problem": result.problem}
        for i, result in enumerate(exc.results)
        if result.problem
    ]
    return error_response(api, request, 422, DOMAIN_ERROR.get(exc.code, exc.code), exc.message, codes=codes or None)


def _domain_error(request, exc: DomainError, api):
    status = DOMAIN_STATUS.get(exc.code, 422)
    details = [{"field": exc.field, "problem": exc.message}] if exc.field else None
    return error_response(api, request, status, DOMAIN_ERROR.get(exc.code, exc.code), exc.message, details=details)


def _too_big(request, exc, api):
    return error_response(
        api, request, 413, "body_too_large", f"Requête trop volumineuse : {API_MAX_BODY // 1024} Kio au plus."
    )


def _raw_body(request, exc, api):
    return error_response(api, request, 415, "unsupported_media_type", "Le corps de la requête doit être du JSON.")


def _server_error(request, exc, api):
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        api, request, 500, "server_error", "Erreur interne du serveur : l'équipe #APTIC est prévenue. Réessayez."
    )


def install(api) -> None:
    """Replace django-ninja's handlers (English, and a traceback when DEBUG is on) with ours."""
    for exc_class, handler in [
        (ApiError, _api_error),
        (AuthenticationError, _not_authenticated),
        (HttpError, _http_error),
        (ValidationError, _validation_error),
        (Http404, _not_found),
        (RedemptionRefused, _refused),
        (DomainError, _domain_error),
        (RequestDataTooBig, _too_big),
        (RawPostDataException, _raw_body),
        (Exception, _server_error),
    ]:
        api.add_exception_handler(exc_class, partial(handler, api=api))
