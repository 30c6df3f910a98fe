"""The places in the data·inclusion schema (ADR 0053): structures and services as JSON, public."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from aptic.core.access import public

from . import datainclusion
from .views import EXPORT_MAX_AGE


def _json(request, part: int) -> JsonResponse:
    response = JsonResponse(
        datainclusion.export(settings.SITE_URL)[part],
        safe=False,
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    response["Access-Control-Allow-Origin"] = "*"  # open data, readable from any site's scripts
    patch_cache_control(response, public=True, max_age=EXPORT_MAX_AGE)
    return response


@public
@require_safe
def structures(request):
    return _json(request, 0)


@public
@require_safe
def services(request):
    return _json(request, 1)
