"""Scores of an answer to the quality questionnaire: pure arithmetic, tested on its own."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")


def percent(score: int, maximum: int) -> Decimal:
    """score / maximum in per cent, to the hundredth, ROUND_HALF_UP (as money, ADR 0002): 2/3 → 66.67,
    1/16 → 6.25, 1/160 → 0.63. The division is exact to 28 digits, far below a hundredth, so rounding
    once here gives the exactly rounded value. A maximum of 0 gives 0."""
    if maximum <= 0:
        return Decimal("0.00")
    return (Decimal(score) * 100 / Decimal(maximum)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Line:
    """One answered question: points of the chosen option and of the best one, times the weight."""

    theme_code: str
    theme_name: str
    theme_position: int
    weight: int
    points: int
    best_points: int


@dataclass(frozen=True)
class ThemeScore:
    code: str
    name: str
    position: int
    score: int
    maximum: int

    @property
    def percent(self) -> Decimal:
        return percent(self.score, self.maximum)


@dataclass(frozen=True)
class Scores:
    themes: list[ThemeScore]
    score: int
    maximum: int
    percent: Decimal

    def themes_json(self) -> dict:
        """For Submission.theme_scores. Keyed by code; `position` keeps the order, as jsonb does not."""
        return {
            t.code: {
                "name": t.name,
                "position": t.position,
                "score": t.score,
                "max": t.maximum,
                "percent": str(t.percent),
            }
            for t in self.themes
        }


def compute(lines: Iterable[Line]) -> Scores:
    """Per theme: sum of points × weight, and of best points × weight. The total percent comes from the
    totals (not from an average of the themes' percents), so a heavy theme counts for what it weighs."""
    totals: dict[str, list] = {}
    for line in lines:
        entry = totals.setdefault(line.theme_code, [line.theme_name, line.theme_position, 0, 0])
        entry[2] += line.points * line.weight
        entry[3] += line.best_points * line.weight
    themes = sorted(
        (ThemeScore(code, name, position, score, maximum) for code, (name, position, score, maximum) in totals.items()),
        key=lambda t: (t.position, t.name),
    )
    score = sum(t.score for t in themes)
    maximum = sum(t.maximum for t in themes)
    return Scores(themes=themes, score=score, maximum=maximum, percent=percent(score, maximum))


def percent_label(value: Decimal) -> str:
    """72.50 → '72,50 %', 60.00 → '60 %': how the French read a percentage."""
    text = f"{Decimal(value):.2f}".replace(".", ",")
    return f"{text.removesuffix(',00')}\u00a0%"
