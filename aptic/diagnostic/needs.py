"""Training needs of a territory's digital-mediation actors and its priority publics (issue #16,
item 7; method in ADR 0053 and 0057): aggregates for a section of the territorial diagnostic, never one
provider's score, never a count that could point at someone.

Training needs: the providers acting in the territory (their seat, or one of their places, is in
it) that answered the quality questionnaire, each by its latest answer. For each theme (Aptitudes,
Publics, Territoires, Innovation, Compétences spécifiques): the median of their scores on it, and
the share of them under the qualification threshold of the questionnaire they answered, applied to
the theme's score. The weakest themes come first: the largest share under the threshold, then the
lowest median. Nothing is shown over fewer than disclosure.MIN_PROVIDERS providers; a median rather
than a mean, so that two nested territories differing by one provider do not give its score back
by difference.

Priority publics (ADR 0057, superseding 0053's method): read from the open data's by-public file
(aptic.opendata.selectors.published_publics), never from the usage facts. For a département, its
published cells added up over the published months; for a région, its départements'; a blanked cell
stays unknown (the figure reads "au moins N"), and France's shares come from the same published
cells. A public whose share of the territory's published uses is larger than its share of France's
is a priority. Every figure is a sum a reader of the file can make: the page adds no equation on
the blanks, so the suppression stays in one place, the open data's. An EPCI or a commune gets no
figure (the file is by département) and a pointer to its départements.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.utils.text import capfirst

from aptic.core import formats
from aptic.core.disclosure import MIN_PROVIDERS, MIN_PUBLISHED_VOUCHERS
from aptic.distribution.models import BeneficiaryCategory
from aptic.opendata.selectors import PublishedCells, published_publics
from aptic.opendata.statistics import NO_HANDOUT, USES_BY_PUBLIC
from aptic.providers.models import QualificationTheme, Submission
from aptic.territories.models import Commune, Departement

# Level of a territory → its commune field, and the usage dimension of the same name.
LEVELS = {"region": "region_id", "departement": "departement_id", "epci": "epci_id", "commune": "insee_code"}
SECRET = "secret statistique"
NO_RATE = "non calculé"  # a population unknown or of 0
HUNDREDTH = Decimal("0.01")


def _communes(level: str, code: str) -> QuerySet[Commune]:
    if level not in LEVELS:
        raise ValueError(f"unknown territory level {level!r}")
    return Commune.objects.filter(**{LEVELS[level]: code})


def _percent(value: Decimal | None) -> str:
    """A score already in per cent (0-100) as the French read it, or the secret."""
    return SECRET if value is None else formats.percent(value / 100)


def _share(value: Decimal | None) -> str:
    return SECRET if value is None else formats.percent(value)


# --- Training needs --------------------------------------------------------------------------


@dataclass(frozen=True)
class ThemeNeed:
    code: str
    name: str
    providers: int  # providers whose answer scores this theme (the figures need MIN_PROVIDERS)
    median_percent: Decimal | None
    below_share: Decimal | None  # 0 to 1: providers under the threshold on this theme
    france_median_percent: Decimal | None
    france_below_share: Decimal | None

    @property
    def median_label(self) -> str:
        return _percent(self.median_percent)

    @property
    def below_label(self) -> str:
        return _share(self.below_share)

    @property
    def france_median_label(self) -> str:
        return _percent(self.france_median_percent)

    @property
    def france_below_label(self) -> str:
        return _share(self.france_below_share)


@dataclass(frozen=True)
class TrainingNeeds:
    providers: int
    threshold_label: str
    themes: list[ThemeNeed]  # the weakest first; empty when not published
    title: str = "Besoins de formation des acteurs de la médiation numérique"
    method: str = (
        "Dernière réponse au questionnaire qualité de chaque structure dont le siège ou un lieu est sur "
        "le territoire : score médian par thème, et part des structures sous le seuil de qualification "
        f"sur ce thème. Aucun chiffre sur moins de {MIN_PROVIDERS} structures."
    )

    @property
    def is_published(self) -> bool:
        return self.providers >= MIN_PROVIDERS

    @property
    def providers_label(self) -> str:
        if not self.is_published:
            return f"moins de {MIN_PROVIDERS} structures"
        return formats.count(self.providers, "structure")

    @property
    def message(self) -> str:
        if self.is_published:
            weakest = [theme.name for theme in self.themes if theme.below_share is not None][:2]
            return (
                f"{formats.count(self.providers, 'structure')} ont répondu au questionnaire qualité. "
                f"Thèmes les plus faibles : {formats.join(weakest)}."
                if weakest
                else ""
            )
        return (
            f"Moins de {MIN_PROVIDERS} structures du territoire ont répondu au questionnaire qualité : "
            "leurs résultats ne sont pas publiés, pour qu'aucune ne soit reconnaissable."
        )


def _latest_answers(providers: Q | None) -> list[tuple[dict, Decimal]]:
    """(theme scores, threshold) of each provider's latest answer, providers of active organisations."""
    answers = Submission.objects.filter(provider__organisation__is_active=True)
    if providers is not None:
        answers = answers.filter(providers)
    rows = answers.order_by("provider_id", "-submitted_at", "-pk").values_list(
        "provider_id", "theme_scores", "questionnaire__threshold_percent"
    )
    latest = {}
    for provider_id, scores, threshold in rows:
        latest.setdefault(provider_id, (scores or {}, threshold))
    return list(latest.values())


def _theme_figures(answers) -> dict[str, tuple[int, Decimal | None, Decimal | None]]:
    """Theme code → (providers, median percent, share under the threshold), figures None under MIN_PROVIDERS."""
    percents = defaultdict(list)
    for scores, threshold in answers:
        for code, entry in scores.items():
            if entry.get("max"):  # a theme without a question in that questionnaire says nothing
                percents[code].append((Decimal(entry["percent"]), threshold))
    figures = {}
    for code, values in percents.items():
        if len(values) < MIN_PROVIDERS:
            figures[code] = (len(values), None, None)
            continue
        median = Decimal(statistics.median(p for p, _ in values)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
        below = Decimal(sum(p < threshold for p, threshold in values)) / len(values)
        figures[code] = (len(values), median, below)
    return figures


def training_needs(level: str, code: str) -> TrainingNeeds:
    """The training needs of the providers acting in a territory (level: region, departement, epci,
    commune), beside France's."""
    communes = _communes(level, code).values("insee_code")
    acting = Q(provider__organisation__commune__in=communes) | Q(provider__organisation__places__commune__in=communes)
    answers = _latest_answers(acting)
    thresholds = {threshold for _, threshold in answers}
    threshold_label = ""
    if len(thresholds) == 1:
        threshold_label = f"seuil de qualification : {_percent(thresholds.pop())}"
    elif thresholds:
        threshold_label = "seuil de qualification du questionnaire auquel chaque structure a répondu"
    if len(answers) < MIN_PROVIDERS:
        return TrainingNeeds(providers=len(answers), threshold_label=threshold_label, themes=[])
    local, france = _theme_figures(answers), _theme_figures(_latest_answers(None))
    names = {theme.code: (theme.position, theme.name) for theme in QualificationTheme.objects.all()}
    for scores, _ in answers:  # a theme since removed keeps the name it had in the answer
        for theme_code, entry in scores.items():
            names.setdefault(theme_code, (entry.get("position", 0), entry.get("name", theme_code)))
    themes = [
        ThemeNeed(theme_code, names[theme_code][1], n, median, below, *france.get(theme_code, (0, None, None))[1:])
        for theme_code, (n, median, below) in local.items()
    ]
    themes.sort(
        key=lambda t: (t.below_share is None, -(t.below_share or 0), t.median_percent or 0, names[t.code][0], t.name)
    )
    return TrainingNeeds(providers=len(answers), threshold_label=threshold_label, themes=themes)


# --- Priority publics ------------------------------------------------------------------------

# What the by-public file lists beside the publics one can aim at: never a priority.
NOT_A_PUBLIC = frozenset({NO_HANDOUT, BeneficiaryCategory.OTHER.label, BeneficiaryCategory.NOT_STATED.label})


@dataclass(frozen=True)
class PublicUse:
    """One public's published uses in the territory (the open data's cells added up, blanks left
    out), and its share of them beside its share of France's published uses."""

    label: str
    published: PublishedCells
    population: int
    share: Decimal | None  # 0 to 1, of the territory's published uses; None when all its cells are blanked
    france_share: Decimal | None

    @property
    def vouchers_label(self) -> str:
        return _at_least(self.published)

    @property
    def secret_label(self) -> str:
        return _secret(self.published)

    @property
    def per_thousand_label(self) -> str:
        if not self.published.vouchers:
            return SECRET if self.published.secret else "0"
        if not self.population:
            return NO_RATE
        rate = formats.number(Decimal(self.published.vouchers) * 1000 / self.population, decimals=2)
        return f"au moins {rate}" if self.published.secret else rate

    @property
    def share_label(self) -> str:
        return _share(self.share)

    @property
    def france_share_label(self) -> str:
        return _share(self.france_share)

    @property
    def index(self) -> int | None:
        """The public's share of the territory's published uses against its share of France's
        (100: the same). Shares, not rates: wherever the platform runs, its rates per inhabitant are
        far above France's for every public, which says nothing about whom it reaches."""
        if self.share is None or not self.france_share:
            return None
        return int((self.share * 100 / self.france_share).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def is_priority(self) -> bool:
        return self.label not in NOT_A_PUBLIC and self.index is not None and self.index > 100

    @property
    def index_label(self) -> str:
        if self.index is None:
            return ""
        return f"{self.index} (priorité)" if self.is_priority else str(self.index)


def _secret(cells: PublishedCells) -> str:
    return f"{formats.number(cells.secret)} sur {formats.number(cells.cells)}"


def _at_least(cells: PublishedCells) -> str:
    if cells.secret and not cells.vouchers:
        return SECRET
    shown = formats.number(cells.vouchers)
    return f"au moins {shown}" if cells.secret else shown


@dataclass(frozen=True)
class PriorityPublics:
    level: str
    population: int = 0
    rows: list[PublicUse] = field(default_factory=list)  # most published uses first
    total: PublishedCells = PublishedCells()
    first_month: datetime.date | None = None
    last_month: datetime.date | None = None
    # EPCI and commune: the départements whose figures are published (code, name), most inhabitants first.
    departements: list[tuple[str, str]] = field(default_factory=list)
    title: str = "Publics prioritaires"
    dataset: str = USES_BY_PUBLIC.name  # the open-data table the figures come from
    method: str = (
        "Chèques utilisés dans les lieux du territoire, selon le public noté à la remise du carnet : les chiffres "
        "mensuels par département et par public publiés dans les données ouvertes, additionnés sur les mois "
        f"publiés. Un chiffre sous {MIN_PUBLISHED_VOUCHERS} chèques, ou masqué pour qu'un autre ne puisse être "
        "retrouvé, y est sous secret statistique : il n'est compté ni ici ni pour la France. Un public est "
        "prioritaire quand sa part des chèques du territoire dépasse sa part en France (indice au-dessus de 100)."
    )

    @property
    def is_published(self) -> bool:
        """Only départements and régions: the open data gives the publics by département, no finer."""
        return self.level in ("region", "departement")

    @property
    def total_label(self) -> str:
        return _at_least(self.total)

    @property
    def total_secret_label(self) -> str:
        return _secret(self.total)

    @property
    def period_label(self) -> str:
        if self.first_month is None:
            return ""
        if self.first_month == self.last_month:
            return formats.month(self.first_month)
        return f"de {formats.month(self.first_month)} à {formats.month(self.last_month)}"

    @property
    def priorities(self) -> list[str]:
        """The publics holding a larger share of the territory's published uses than of France's, most first."""
        return [row.label for row in sorted((r for r in self.rows if r.is_priority), key=lambda r: -r.index)]

    @property
    def message(self) -> str:
        if not self.is_published:
            return (
                "Les chèques utilisés par public ne sont publiés que par département, sous secret statistique : "
                "ils ne sont pas donnés pour une intercommunalité ni pour une commune."
            )
        if not self.total.cells:
            return "Aucune utilisation de chèque n'est encore publiée pour ce territoire (mois achevés)."
        if not self.total.vouchers:
            return (
                f"{capfirst(self.period_label)}, les chiffres publiés pour ce territoire sont tous sous secret "
                "statistique : trop petits, ils pourraient désigner quelqu'un."
            )
        used = (
            f"{capfirst(self.period_label)}, les données ouvertes comptent {self.total_label} "
            f"{formats.plural(self.total.vouchers, 'chèque')} utilisés dans les lieux du territoire"
        )
        if self.total.secret:
            used += ", certains mois étant sous secret statistique"
        if self.priorities:
            return f"{used} ; publics plus représentés qu'en France : {formats.join(self.priorities)}."
        return f"{used} ; aucun public n'y est plus représenté qu'en France."


def _population(communes: QuerySet[Commune]) -> int:
    return communes.aggregate(total=Sum("population"))["total"] or 0


def _shares(publics: dict[str, PublishedCells]) -> dict[str, Decimal]:
    """Each public's share of the published uses; none for a public whose every cell is blanked
    (unknown, not 0)."""
    total = sum(cells.vouchers for cells in publics.values())
    return {public: Decimal(cells.vouchers) / total for public, cells in publics.items() if cells.vouchers}


def _departements(level: str, code: str) -> list[tuple[str, str]]:
    """The départements of a territory's communes, most inhabitants first."""
    rows = (
        _communes(level, code)
        .filter(is_current=True)
        .values("departement_id", "departement__name")
        .annotate(people=Sum("population"))
        .order_by(F("people").desc(nulls_last=True), "departement_id")
    )
    return [(row["departement_id"], row["departement__name"]) for row in rows]


def priority_publics(level: str, code: str) -> PriorityPublics:
    """The publics the vouchers used in a territory reach (level: region, departement; an EPCI or a
    commune gets its départements, whose figures are published), from the open data's published
    cells only: a blank stays unknown, and nothing is computed that the file does not already give."""
    communes = _communes(level, code)
    if level not in ("region", "departement"):
        return PriorityPublics(level=level, departements=_departements(level, code))
    published = published_publics()
    codes = (
        [code]
        if level == "departement"
        else list(Departement.objects.filter(region_id=code).values_list("code", flat=True))
    )
    local, france = published.publics(codes), published.publics()
    population = _population(communes)
    shares, france_shares = _shares(local), _shares(france)
    rows = [
        PublicUse(public, cells, population, shares.get(public), france_shares.get(public))
        for public, cells in local.items()
    ]
    rows.sort(key=lambda row: (-row.published.vouchers, row.published.secret, row.label))
    return PriorityPublics(
        level=level,
        population=population,
        rows=rows,
        total=sum(local.values(), PublishedCells()),
        first_month=published.first_month,
        last_month=published.last_month,
    )
