"""Reading the diagnostic of one territory (ADR 0052): its stored figures beside its parent's and
France's, the missing services, the uses, the least covered communes and the map's communes."""

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Count, F, Sum
from django.utils import timezone

from aptic.opendata.published_uses import published_uses
from aptic.opendata.selectors import PublishedCells
from aptic.providers.dates import add_months
from aptic.reporting.selectors import usage
from aptic.territories.models import Commune, Departement, Epci, Region
from aptic.vocabulary.models import ServiceCategory

from .compute import COVERED_KM, MAP_LIMIT, THRESHOLDS_KM
from .models import CommuneCoverage, CommuneSummary, Level, NationalMedian, Run, TerritoryFigures

CODES = {
    Level.REGION: re.compile(r"^[0-9]{2}$"),
    Level.DEPARTEMENT: re.compile(r"^([0-9]{2}|2[AB]|97[0-9])$"),
    Level.EPCI: re.compile(r"^[0-9]{9}$"),
    Level.COMMUNE: re.compile(r"^[0-9][0-9AB][0-9]{3}$"),
}
LEAST_COVERED = 10
# Colour bands of the map (upper bounds, km), each with its class and French label.
BANDS = (
    (5, "band-near", "à 5 km ou moins"),
    (10, "band-mid", "de 5 à 10 km"),
    (20, "band-far", "de 10 à 20 km"),
    (None, "band-none", "à plus de 20 km, ou aucun lieu"),
)
_PLURALS = {
    Level.REGION: "régions",
    Level.DEPARTEMENT: "départements",
    Level.EPCI: "intercommunalités",
    Level.COMMUNE: "communes",
}


@dataclass(frozen=True)
class Territory:
    level: str
    code: str
    name: str

    @property
    def usage_filter(self) -> dict:
        return {} if self.level == Level.FRANCE else {self.level: self.code}

    @property
    def commune_filter(self) -> dict:
        return {
            Level.FRANCE: {},
            Level.REGION: {"region_id": self.code},
            Level.DEPARTEMENT: {"departement_id": self.code},
            Level.EPCI: {"epci_id": self.code},
            Level.COMMUNE: {"insee_code": self.code},
        }[self.level]

    @property
    def label(self) -> str:
        if self.level == Level.FRANCE:
            return "la France"
        if self.level == Level.DEPARTEMENT:
            return f"le département {self.name} ({self.code})"
        return f"{'l’' if self.level == Level.EPCI else 'la '}{Level(self.level).label} {self.name}"

    @property
    def of_label(self) -> str:
        """ "de la France", "du département Gironde (33)", "de l’intercommunalité …"."""
        label = self.label
        return "du" + label[2:] if label.startswith("le ") else "de " + label


FRANCE = Territory(Level.FRANCE, "", "France")


def territory(level: str, code: str) -> Territory | None:
    """The territory of a URL's level and code, or None if malformed or unknown."""
    if level == Level.FRANCE:
        return FRANCE
    if level not in CODES or not isinstance(code, str) or not CODES[level].match(code):
        return None
    model, filters = {
        Level.REGION: (Region, {"code": code}),
        Level.DEPARTEMENT: (Departement, {"code": code}),
        Level.EPCI: (Epci, {"siren": code}),
        Level.COMMUNE: (Commune, {"insee_code": code, "is_current": True}),
    }[level]
    name = model.objects.filter(**filters).values_list("name", flat=True).first()
    return None if name is None else Territory(level, code, name)


def parent_of(place: Territory) -> Territory | None:
    """A commune's EPCI (else its département), an EPCI's département (the one of most of its
    inhabitants), a département's région, a région's France."""
    if place.level == Level.FRANCE:
        return None
    if place.level == Level.REGION:
        return FRANCE
    if place.level == Level.DEPARTEMENT:
        region = Departement.objects.select_related("region").get(code=place.code).region
        return Territory(Level.REGION, region.code, region.name)
    if place.level == Level.COMMUNE:
        commune = Commune.objects.select_related("epci", "departement").get(insee_code=place.code)
        if commune.epci is not None:
            return Territory(Level.EPCI, commune.epci.siren, commune.epci.name)
        return Territory(Level.DEPARTEMENT, commune.departement.code, commune.departement.name)
    largest = (
        Commune.objects.filter(epci_id=place.code, is_current=True)
        .values("departement_id", "departement__name")
        .annotate(people=Sum("population"), n=Count("pk"))
        .order_by(F("people").desc(nulls_last=True), "-n", "departement_id")
        .first()
    )
    if largest is None:
        return None
    return Territory(Level.DEPARTEMENT, largest["departement_id"], largest["departement__name"])


def children_of(place: Territory) -> list[Territory]:
    """The territories one level down that the page links to (an EPCI's communes are in its table)."""
    if place.level == Level.FRANCE:
        return [Territory(Level.REGION, r.code, r.name) for r in Region.objects.order_by("name")]
    if place.level == Level.REGION:
        return [Territory(Level.DEPARTEMENT, d.code, d.name) for d in Departement.objects.filter(region_id=place.code)]
    if place.level == Level.DEPARTEMENT:
        epcis = Epci.objects.filter(communes__departement_id=place.code, communes__is_current=True).distinct()
        return [Territory(Level.EPCI, e.siren, e.name) for e in epcis.order_by("name")]
    return []


@dataclass(frozen=True)
class Figures:
    """A territory's figures for one category."""

    population: int
    aptic_places: int
    reference_places: int
    beyond: dict  # {km: inhabitants living in a commune whose centre is farther than km}
    nearest_km: float | None = None  # a commune's own distance

    @property
    def places(self) -> int:
        return self.aptic_places + self.reference_places

    @property
    def per_10000(self) -> float | None:
        return self.places * 10000 / self.population if self.population else None

    @property
    def shares(self) -> dict:
        return {km: (n / self.population if self.population else None) for km, n in self.beyond.items()}

    @property
    def coverage(self) -> float | None:
        """ADR 0052: the share of inhabitants within COVERED_KM of a place offering the category."""
        if not self.population:
            return None
        return (self.population - self.beyond[COVERED_KM]) / self.population


def _stored_figures(place: Territory) -> dict[int, Figures]:
    if place.level == Level.COMMUNE:
        population = Commune.objects.filter(insee_code=place.code).values_list("population", flat=True).first() or 0
        return {
            row.category_id: Figures(
                population,
                row.aptic_places,
                row.reference_places,
                {km: population if row.nearest_km is None or row.nearest_km > km else 0 for km in THRESHOLDS_KM},
                row.nearest_km,
            )
            for row in CommuneCoverage.objects.filter(commune_id=place.code)
        }
    return {
        row.category_id: Figures(
            row.population,
            row.aptic_places,
            row.reference_places,
            {5: row.beyond_5, 10: row.beyond_10, 20: row.beyond_20},
        )
        for row in TerritoryFigures.objects.filter(level=place.level, code=place.code)
    }


def _funder_uses(place: Territory, funder_id: int, first: datetime.date, last: datetime.date) -> dict[int, int]:
    """The funder's own uses (its data, not the public's), over the months of the published ones."""
    rows = usage(group_by=["category_id"], funder_id=funder_id, day__gte=first, day__lt=last, **place.usage_filter)
    return {row["category_id"]: row["used"] for row in rows}


@dataclass(frozen=True)
class Uses:
    """A territory's uses of a category as the open data publishes them (ADR 0060): its published
    cells added up, the blanked ones left out."""

    cells: PublishedCells
    population: int

    @property
    def count(self) -> int | None:
        """None: every cell blanked (secret statistique)."""
        return None if self.cells.secret and not self.cells.vouchers else self.cells.vouchers

    @property
    def partial(self) -> bool:
        """Some cells blanked: the count is a lower bound."""
        return bool(self.cells.secret) and self.count is not None

    @property
    def rate(self) -> float | None:  # per 1,000 inhabitants
        count = self.count
        return count * 1000 / self.population if count is not None and self.population else None


@dataclass(frozen=True)
class Line:
    category: ServiceCategory
    own: Figures
    parent: Figures | None
    france: Figures
    uses: tuple  # (own, parent or None, France) Uses
    missing: str  # why the service is missing here, "" if it is not
    median: float | None
    funder_uses: int | None = None

    @property
    def funder_rate(self) -> float | None:
        if self.funder_uses is None or not self.own.population:
            return None
        return self.funder_uses * 1000 / self.own.population


@dataclass(frozen=True)
class MapCommune:
    code: str
    name: str
    population: int
    latitude: float
    longitude: float
    nearest_km: float | None
    nearest_kind: str
    highlighted: bool
    funder_uses: int | None = None

    @property
    def band(self) -> tuple:
        for limit, css, label in BANDS:
            if limit is None or (self.nearest_km is not None and self.nearest_km <= limit):
                return css, label
        return BANDS[-1][1:]


@dataclass
class Diagnostic:
    territory: Territory
    parent: Territory | None
    run: Run | None
    lines: list = field(default_factory=list)
    category: ServiceCategory | None = None
    map_communes: list = field(default_factory=list)
    map_total: int = 0
    least_covered: list = field(default_factory=list)
    children: list = field(default_factory=list)
    population: int = 0
    # The months of the uses (the open data's last twelve), and the first day after them.
    first_month: datetime.date | None = None
    last_month: datetime.date | None = None
    median_level: str = ""

    @property
    def missing(self) -> list:
        return [line for line in self.lines if line.missing]


def categories():
    return list(ServiceCategory.objects.filter(is_active=True))


def _missing(place: Territory, own: Figures, median: float | None) -> str:
    if own.places == 0:
        return "aucun lieu du territoire ne le propose"
    coverage = own.coverage
    if place.level != Level.FRANCE and coverage is not None and median is not None and coverage < median:
        return "couverture sous la médiane nationale"
    return ""


def diagnostic(place: Territory, category: ServiceCategory, *, funder_id: int | None = None) -> Diagnostic:
    run = Run.objects.order_by("-computed_at").first()
    parent = parent_of(place)
    result = Diagnostic(territory=place, parent=parent, run=run, category=category)
    result.children = children_of(place)
    result.median_level = _PLURALS.get(place.level, "")
    if run is None:
        return result
    published = published_uses()
    result.first_month, result.last_month = published.first_month, published.last_month
    if published.last_month is not None:
        since, until = published.first_month, add_months(published.last_month, 1)
    else:  # nothing published yet: the funder's own uses of the last twelve whole months
        until = timezone.localdate().replace(day=1)
        since = (until - datetime.timedelta(days=365)).replace(day=1)
    own, up, france = _stored_figures(place), _stored_figures(parent) if parent else {}, _stored_figures(FRANCE)
    medians = dict(NationalMedian.objects.filter(level=place.level).values_list("category_id", "coverage"))
    own_uses, france_uses = published.of(place.level, place.code), published.of(FRANCE.level, "")
    up_uses = published.of(parent.level, parent.code) if parent else {}
    funder = _funder_uses(place, funder_id, since, until) if funder_id is not None else None
    none = PublishedCells()
    empty = Figures(0, 0, 0, dict.fromkeys(THRESHOLDS_KM, 0))
    for term in categories():
        mine = own.get(term.pk, empty)
        theirs = up.get(term.pk) if parent else None
        nation = france.get(term.pk, empty)
        uses = (
            Uses(own_uses.get(term.label, none), mine.population),
            Uses(up_uses.get(term.label, none), theirs.population) if theirs else None,
            Uses(france_uses.get(term.label, none), nation.population),
        )
        median = medians.get(term.pk)
        result.lines.append(
            Line(
                term,
                mine,
                theirs,
                nation,
                uses,
                _missing(place, mine, median),
                median,
                funder.get(term.pk, 0) if funder is not None else None,
            )  # fmt: skip
        )
    result.population = result.lines[0].own.population if result.lines else 0
    _map(result, category, funder_id, since, until)
    if place.level != Level.COMMUNE:
        result.least_covered = list(
            CommuneSummary.objects.filter(**{f"commune__{k}": v for k, v in place.commune_filter.items()})
            .select_related("commune")
            .order_by("-far_categories", F("commune__population").desc(nulls_last=True), "commune_id")[:LEAST_COVERED]
        )
    return result


def _map(result: Diagnostic, category: ServiceCategory, funder_id: int | None, since, until) -> None:
    """The communes of the map: the territory's (a commune's: those of its parent)."""
    place = result.territory
    area = result.parent if place.level == Level.COMMUNE and result.parent else place
    rows = CommuneCoverage.objects.filter(category=category)
    if area.level == Level.FRANCE:
        result.map_total = result.run.communes
        rows = rows.filter(france_rank__isnull=False).order_by("france_rank")
    else:
        # The territory's communes first (their index), then each one's row (the unique index).
        communes = Commune.objects.filter(is_current=True, **area.commune_filter).values("pk")
        rows = rows.filter(commune_id__in=communes)
        result.map_total = rows.count()
        rows = rows.order_by(F("nearest_km").desc(nulls_first=True), "commune_id")
    rows = rows.values_list(
        "commune_id", "commune__name", "commune__population", "commune__latitude", "commune__longitude",
        "nearest_km", "nearest_kind",
    )[:MAP_LIMIT]  # fmt: skip
    funder = {}
    if funder_id is not None:
        funder = {
            row["commune"]: row["used"]
            for row in usage(
                group_by=["commune"],
                funder_id=funder_id,
                category_id=category.pk,
                day__gte=since,
                day__lt=until,
                **area.usage_filter,
            )  # fmt: skip
        }
    result.map_communes = [
        MapCommune(
            code,
            name,
            population or 0,
            lat,
            lng,
            km,
            kind,
            code == place.code,
            funder.get(code, 0) if funder_id is not None else None,
        )  # fmt: skip
        for code, name, population, lat, lng, km, kind in rows
    ]
