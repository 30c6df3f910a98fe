"""Mounted at api/v1/ by aptic/urls.py.

django-ninja's URL patterns are wrapped once here:
- every operation is marked `api_endpoint` and the documentation `public` (aptic.accounts.permissions),
  so the URL guard test knows who may call what; the API authenticates each request itself;
- bodies over API_MAX_BODY get 413 before being read, non-JSON bodies 415, and ninja's bare 405 and
  unknown paths under /api/v1/ a JSON error like every other.
"""

from functools import wraps

from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from aptic.core.access import api_endpoint, public

from . import api
from .errors import API_MAX_BODY, error_response

app_name = api.urls_namespace
DOCUMENTATION = {"openapi-json", "openapi-view"}


def _content_length(request) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _guarded(view):
    @wraps(view)
    def guarded(request, *args, **kwargs):
        length = _content_length(request)
        if length > API_MAX_BODY:
            return error_response(
                api, request, 413, "body_too_large", f"Requête trop volumineuse : {API_MAX_BODY // 1024} Kio au plus."
            )
        if length and not _is_json(request.content_type or ""):
            return error_response(
                api,
                request,
                415,
                "unsupported_media_type",
                "Le corps de la requête doit être du JSON (Content-Type: application/json).",
            )
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = error_response(
                api,
                request,
                405,
                "method_not_allowed",
                f"Méthode non permise ici (permises : {allowed}).",
                headers={"Allow": allowed},
            )
        return response

    return guarded


@csrf_exempt  # an unknown API path answers its JSON 404 whatever the method, like every API route
@public
def not_found(request, *args, **kwargs):
    return error_response(api, request, 404, "not_found", "Adresse inconnue dans l'API #APTIC.")


def _patterns():
    for pattern in api.urls[0]:
        if pattern.name == "api-root":
            # ninja's root view only raises Http404 (HTML); its name stays, as ninja reverses it for paths.
            yield path("", not_found, name="api-root")
        elif pattern.name in DOCUMENTATION:
            yield path(str(pattern.pattern), public(pattern.callback), name=pattern.name)
        else:
            yield path(str(pattern.pattern), api_endpoint(_guarded(pattern.callback)), name=pattern.name)
    yield re_path(r"^.+$", not_found)


urlpatterns = list(_patterns())
