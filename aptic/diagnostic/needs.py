"""Training needs of a territory's digital-mediation actors and its priority publics (issue #16,
item 7; method in ADR 0053): aggregates for a section of the territorial diagnostic, never one
provider's score, never a count that could point at someone.

Training needs: the providers acting in the territory (their seat, or one of their places, is in
it) that answered the quality questionnaire, each by its latest answer. For each theme (Aptitudes,
Publics, Territoires, Innovation, Compétences spécifiques): the median of their scores on it, and
the share of them under the qualification threshold of the questionnaire they answered, applied to
the theme's score. The weakest themes come first: the largest share under the threshold, then the
lowest median. Nothing is shown over fewer than disclosure.MIN_PROVIDERS providers; a median rather
than a mean, so that two nested territories differing by one provider do not give its score back
by difference.

Priority publics: the vouchers used at the territory's places, by the public the booklet was
handed out to (reporting.selectors.usage: a handout itself has no territory, its use has one),
per 1,000 inhabitants and as a share of the territory's uses, beside France; a public whose share
is larger than in France is a priority. A count under disclosure.MIN_PUBLISHED_VOUCHERS is blanked,
with its rate; if that leaves a single blank, the next smallest is blanked too, since the
territory's total of uses is published on the same page and would give it back.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet, Sum

from aptic.core import formats
from aptic.core.disclosure import MIN_PROVIDERS, MIN_PUBLISHED_VOUCHERS, suppressed
from aptic.distribution.models import BeneficiaryCategory
from aptic.providers.models import QualificationTheme, Submission
from aptic.reporting.selectors import usage, usage_snapshot
from aptic.territories.models import Commune

# Level of a territory → its commune field, and the usage dimension of the same name.
LEVELS = {"region": "region_id", "departement": "departement_id", "epci": "epci_id", "commune": "insee_code"}
SECRET = "secret statistique"
UNRECORDED = "Remise non enregistrée"  # a voucher used without its booklet's handout being recorded
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


def _rate(blanked: bool, rate: Decimal | None) -> str:
    if blanked:
        return SECRET
    return NO_RATE if rate is None else formats.number(rate, decimals=2)


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


@dataclass(frozen=True)
class Figures:
    """One public's uses in an area: count, per 1,000 inhabitants, share of the area's uses (all
    None when blanked; the rate None too when the population is unknown). Unrounded: labels round."""

    vouchers: int | None
    per_thousand: Decimal | None
    share: Decimal | None

    @property
    def blanked(self) -> bool:
        return self.vouchers is None


@dataclass(frozen=True)
class PublicUse:
    code: str
    label: str
    local: Figures
    france: Figures

    @property
    def vouchers_label(self) -> str:
        return SECRET if self.local.blanked else formats.number(self.local.vouchers)

    @property
    def per_thousand_label(self) -> str:
        return _rate(self.local.blanked, self.local.per_thousand)

    @property
    def france_per_thousand_label(self) -> str:
        return _rate(self.france.blanked, self.france.per_thousand)

    @property
    def share_label(self) -> str:
        return _share(self.local.share)

    @property
    def france_share_label(self) -> str:
        return _share(self.france.share)

    @property
    def index(self) -> int | None:
        """The public's share of the territory's uses against its share of France's (100: the same).
        Shares, not rates: a territory where the platform runs has rates far above France's for
        every public, which says nothing about which public it reaches more."""
        if self.local.share is None or not self.france.share:
            return None
        return int((self.local.share * 100 / self.france.share).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def comparison_label(self) -> str:
        if self.index is None:
            return ""
        if self.index > 100:
            return "plus représenté qu'en France"
        return "moins représenté qu'en France" if self.index < 100 else "comme en France"


@dataclass(frozen=True)
class PriorityPublics:
    population: int
    rows: list[PublicUse] = field(default_factory=list)  # most vouchers per inhabitant first, blanked last
    title: str = "Publics prioritaires"
    method: str = (
        "Chèques utilisés dans les lieux du territoire, selon le public auquel le carnet avait été remis : "
        "pour 1 000 habitants et en part des chèques utilisés, à côté de la France entière. Un nombre "
        f"inférieur à {MIN_PUBLISHED_VOUCHERS} chèques n'est pas publié (secret statistique)."
    )

    @property
    def population_label(self) -> str:
        return formats.count(self.population, "habitant")

    @property
    def priorities(self) -> list[str]:
        """The publics holding a larger share of the territory's uses than of France's, most first."""
        ranked = sorted((row for row in self.rows if row.index is not None and row.index > 100), key=lambda r: -r.index)
        return [row.label for row in ranked]

    @property
    def message(self) -> str:
        if not self.rows:
            return "Aucun chèque n'a encore été utilisé dans les lieux de ce territoire."
        parts = []
        if not self.population:
            parts.append("La population de ce territoire n'est pas connue : aucun taux pour 1 000 habitants.")
        if self.priorities:
            parts.append(f"Publics plus représentés qu'en France : {formats.join(self.priorities)}.")
        return " ".join(parts)


def _population(communes: QuerySet[Commune]) -> int:
    return communes.aggregate(total=Sum("population"))["total"] or 0


def _blanked(counts: dict[str, int]) -> set[str]:
    """The counts to blank: the territory's publics are one group whose total the page publishes
    (disclosure.suppressed); a public alone is blanked if small, and its total with it."""
    if len(counts) == 1:
        return {public for public, n in counts.items() if n < MIN_PUBLISHED_VOUCHERS}
    return suppressed(counts, [counts])


def _figures(counts: dict[str, int], population: int) -> dict[str, Figures]:
    blank, total = _blanked(counts), sum(counts.values())
    return {
        public: Figures(None, None, None)
        if public in blank
        else Figures(n, Decimal(n) * 1000 / population if population else None, Decimal(n) / total)
        for public, n in counts.items()
    }


def _uses_by_public(**territory) -> dict[str, int]:
    return {row["public"]: row["used"] for row in usage(group_by=["public"], **territory) if row["used"] > 0}


def priority_publics(level: str, code: str) -> PriorityPublics:
    """The publics the territory's vouchers reach (level: region, departement, epci, commune), per
    1,000 inhabitants and as shares of its uses, beside France."""
    population = _population(_communes(level, code))
    with usage_snapshot():  # both reads see the same uses: the territory's are among France's
        local = _figures(_uses_by_public(**{level: code}), population)
        france = _figures(_uses_by_public(), _population(Commune.objects.all()))
    labels = dict(BeneficiaryCategory.choices) | {"": UNRECORDED}
    blank = Figures(None, None, None)
    rows = [
        PublicUse(public, labels.get(public, public), figures, france.get(public, blank))
        for public, figures in local.items()
    ]
    rows.sort(key=lambda row: (row.local.blanked, -(row.local.vouchers or 0), row.label))
    return PriorityPublics(population=population, rows=rows)
