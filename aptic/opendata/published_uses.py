"""The uses by territory and service category exactly as the open data publishes them (ADR 0060):
the served `utilisations-communes` file's cells of its last twelve months, added up per commune,
EPCI, département, région and France, blanked cells left out and counted. The territorial
diagnostic reads its uses from here, never from the usage facts: a figure a reader of the file can
add up adds no equation on the blanks, and it changes only when the file does (once a month), so
two days' pages give nothing away by difference."""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from aptic.territories.models import Commune

from . import publishing
from .selectors import PublishedCells, last_months, served
from .statistics import PUBLISHED, USES_BY_COMMUNE

FRANCE = ("france", "")


@dataclass(frozen=True)
class PublishedUses:
    """The file's last twelve months: (level, code) → category label → its cells."""

    first_month: datetime.date | None = None
    last_month: datetime.date | None = None
    areas: dict = field(default_factory=dict)

    def of(self, level: str, code: str) -> dict[str, PublishedCells]:
        return self.areas.get(FRANCE if level == "france" else (level, code), {})


def published_uses() -> PublishedUses:
    return served(USES_BY_COMMUNE.name, _published_uses, PublishedUses())


@functools.lru_cache(maxsize=4)
def _published_uses(directory: str, digest: str) -> PublishedUses:
    header, rows = publishing.stored_rows(directory, USES_BY_COMMUNE.name)
    month, commune, category, used, status = (
        header.index(column)
        for column in ("mois", "code_commune", "categorie_service", "cheques_utilises", "statut_diffusion")
    )
    if not rows:
        return PublishedUses()
    first, last = last_months({row[month] for row in rows})
    since = f"{first:%Y-%m}"
    by_commune = defaultdict(lambda: defaultdict(PublishedCells))
    for row in rows:
        if row[month] >= since:
            shown = row[status] == PUBLISHED
            cells = PublishedCells(int(row[used]) if shown else 0, 1, 0 if shown else 1)
            by_commune[row[commune]][row[category]] += cells
    areas = defaultdict(lambda: defaultdict(PublishedCells))
    parents = Commune.objects.filter(insee_code__in=list(by_commune)).values_list(
        "insee_code", "epci_id", "departement_id", "region_id"
    )
    levels = {code: (("epci", epci), ("departement", dep), ("region", region)) for code, epci, dep, region in parents}
    for code, categories in by_commune.items():
        for area in (("commune", code), *levels.get(code, ()), FRANCE):
            if area[1] is not None:
                for label, cells in categories.items():
                    areas[area][label] += cells
    return PublishedUses(first, last, {area: dict(labels) for area, labels in areas.items()})
