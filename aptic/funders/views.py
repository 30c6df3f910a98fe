from django.shortcuts import render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.billing import selectors as billing
from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.places.geojson import map_settings
from aptic.reporting.filters import Filters, parse_filters
from aptic.reporting.maps import funder_map_points

from .filters import funder_filter_options
from .selectors import funder_orders_progress, order_status_labels


@organisation_required(kinds=[OrganisationKind.FUNDER])
def orders(request):
    return render(request, "funders/orders.html", {"rows": funder_orders_progress(request.organisation)})


@organisation_required(kinds=[OrganisationKind.FUNDER])
def commercial_orders(request):
    rows = billing.funder_pipeline(request.organisation)
    # One status per order, the Suivi page's (ADR 0023): an expired order reads "Expirée" on both.
    labels = order_status_labels(request.organisation)
    for row in rows:
        if row.order is not None:
            row.status_label = labels.get(row.order.pk, "")
    context = {"rows": rows}
    return render(request, "funders/commercial_orders.html", context)


def _point_text(point) -> str:
    """What a marker says (its accessible name and popup), in French."""
    used = formats.count(point.value, "chèque utilisé", "chèques utilisés")
    if point.kind == "eligible":
        return f"{point.label}, {point.detail} : chèques acceptés, pas encore utilisés"
    if point.kind == "place":
        return f"{point.label}, {point.detail} : {used}"
    if point.rate is None:
        return f"{point.label} : {used} (population inconnue)"
    return f"{point.label} : {used}, soit {formats.number(point.rate)} pour {formats.number(1000)} habitants"


def _map_data(points) -> list[dict]:
    """The markers for the map's script (json_script): kind, position, size, French text."""
    return [
        {
            "kind": p.kind,
            "lat": round(p.latitude, 5),
            "lng": round(p.longitude, 5),
            "value": p.value,
            "rate": None if p.rate is None else float(p.rate),
            "text": _point_text(p),
        }
        for p in points
    ]


@organisation_required(kinds=[OrganisationKind.FUNDER])
def usage_map(request):
    """The map honours the dashboard's filters (same GET names); a bad one is a French 400."""
    options = funder_filter_options(request.organisation)
    try:
        filters = parse_filters(request.GET, options=options)
    except DomainError as exc:
        context = {"filters": Filters(options=options), "filters_error": exc.message}
        return render(request, "funders/map.html", context, status=400)
    points = funder_map_points(funder=request.organisation, usage_filters=filters.lookups())
    used = [p for p in points if p.kind == "place"]
    context = {
        "filters": filters,
        "map": map_settings(),
        "used": used,
        "eligible": [p for p in points if p.kind == "eligible"],
        "communes": [p for p in points if p.kind == "commune"],
        "total_used": sum(p.value for p in used),
        "map_data": _map_data(points),
    }
    return render(request, "funders/map.html", context)
