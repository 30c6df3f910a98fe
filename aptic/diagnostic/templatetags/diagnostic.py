"""The diagnostic's figures as the pages write them, through aptic.core.formats (ADR 0023)."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from aptic.core import formats
from aptic.diagnostic import wording
from aptic.diagnostic.wording import KINDS

register = template.Library()


@register.filter
def km(value):
    """12.345 → '12,3 km'; None → 'aucun lieu'."""
    return wording.km(value)


@register.filter
def taux(value):
    """A rate (per 1,000 or 10,000 inhabitants) with two decimals; None → '—'."""
    return wording.rate(value)


@register.filter
def taux_publie(uses):
    """A territory's published uses per 1,000 inhabitants (ADR 0060): '—' when every cell is under
    statistical secrecy or the population unknown, 'au moins …' when some are."""
    return wording.published_rate(uses)


@register.filter
def part(value):
    """A share from 0 to 1 as a percentage; None → '—'."""
    return wording.share(value)


@register.filter
def seuil(shares, km_value):
    """{{ figures.shares|seuil:10 }}: the share beyond that many km."""
    return shares.get(int(km_value)) if shares else None


@register.filter
def genre_lieu(kind):
    return KINDS.get(kind, "")


@register.filter
def points_carte(communes):
    """The map's points for json_script: position, colour band and the French text of each."""
    points = []
    for c in communes:
        css, label = c.band
        nearest = f"{km(c.nearest_km)} du {KINDS[c.nearest_kind]} le plus proche" if c.nearest_kind else "aucun lieu"
        people = formats.count(c.population, "habitant")
        points.append(
            {
                "lat": c.latitude,
                "lng": c.longitude,
                "band": css,
                "here": c.highlighted,
                "text": f"{c.name} ({people}) : {nearest}",
            }  # fmt: skip
        )
    return points


@register.filter
def territory_link(place):
    """The URL of a territory's public diagnostic."""
    if place.level == "france":
        return reverse("diagnostic:france")
    return reverse(f"diagnostic:{place.level}", kwargs={"code": place.code})


@register.filter
def seuil_nombre(beyond, km_value):
    """{{ figures.beyond|seuil_nombre:10 }}: the inhabitants beyond that many km."""
    return beyond.get(int(km_value)) if beyond else None


@register.simple_tag
def communes_rows(communes, with_funder):
    """The map's table, up to MAP_LIMIT rows: written here rather than by a template loop, which
    costs ten times as much per row (ADR 0052: a page within 200 ms)."""
    prefix = reverse("diagnostic:commune", kwargs={"code": "00000"})[: -len("00000/")]
    rows = []
    for c in communes:
        # Only the name is text from the data: escaped; the rest are codes, numbers and constants.
        highlighted = ' class="highlighted"' if c.highlighted else ""
        funder = f'<td class="num">{formats.number(c.funder_uses)}</td>' if with_funder else ""
        rows.append(
            f'<tr{highlighted}><th scope="row"><a href="{prefix}{escape(c.code)}/">{escape(c.name)}</a></th>'
            f'<td class="num">{formats.number(c.population)}</td><td class="num">{km(c.nearest_km)}</td>'
            f"<td>{KINDS.get(c.nearest_kind, '')}</td><td>{c.band[1]}</td>{funder}</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (the names escaped above)
