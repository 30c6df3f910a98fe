"""The usage map's points for its page: by kind for the tables, and as the map script's data."""

from django import template

from aptic.core import formats
from aptic.reporting.maps import RATE_DECIMALS

register = template.Library()


@register.filter
def de_type(points, kind):
    """{{ report.points|de_type:"place" }}: the points of one kind (place, eligible, commune)."""
    return [p for p in points if p.kind == kind]


@register.filter
def pour_mille(rate) -> str:
    """{{ point.rate|pour_mille }} → 44,10: a commune's vouchers used per 1,000 inhabitants, every
    rate with the same decimals."""
    return "—" if rate is None else formats.number(rate, decimals=RATE_DECIMALS)


def point_text(point) -> str:
    """What a marker says (its accessible name and popup), in French."""
    used = formats.count(point.value, "chèque utilisé", "chèques utilisés")
    if point.kind == "eligible":
        return f"{point.label}, {point.detail} : chèques acceptés, pas encore utilisés"
    if point.kind == "place":
        return f"{point.label}, {point.detail} : {used}"
    if point.rate is None:
        return f"{point.label} : {used} (population inconnue)"
    return f"{point.label} : {used}, soit {pour_mille(point.rate)} pour {formats.number(1000)} habitants"


@register.filter
def donnees_carte(points) -> list[dict]:
    """The markers for the map's script ({{ …|donnees_carte|json_script:"carte-donnees" }}): kind,
    position, size, French text."""
    return [
        {
            "kind": p.kind,
            "lat": round(p.latitude, 5),
            "lng": round(p.longitude, 5),
            "value": p.value,
            "rate": None if p.rate is None else float(p.rate),
            "text": point_text(p),
        }
        for p in points
    ]
