"""Scoring: per theme and in total, points × weight, percent to the hundredth rounded half up."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aptic.providers import services
from aptic.providers.models import Submission
from aptic.providers.scoring import Line, compute, percent, percent_label

from .factories import make_questionnaire


@pytest.mark.parametrize(
    "score,maximum,expected",
    [
        (0, 62, "0.00"),
        (62, 62, "100.00"),
        (1, 3, "33.33"),
        (2, 3, "66.67"),
        (1, 8, "12.50"),
        (1, 160, "0.63"),  # 0.625: half up
        (1, 800, "0.13"),  # 0.125: half up, not to even
        (1, 1600, "0.06"),  # 0.0625
        (3, 5, "60.00"),
        (37, 62, "59.68"),
        (38, 62, "61.29"),
        (5, 0, "0.00"),
    ],
)
def test_percent_table(score, maximum, expected):
    assert percent(score, maximum) == Decimal(expected)
    assert str(percent(score, maximum)) == expected


@pytest.mark.parametrize(
    "value,label", [("72.50", "72,50\xa0%"), ("60.00", "60\xa0%"), ("0.63", "0,63\xa0%"), ("100", "100\xa0%")]
)
def test_percent_label(value, label):
    assert percent_label(Decimal(value)) == label


def test_themes_and_total_by_hand():
    lines = [
        Line("publics", "Publics", 2, weight=3, points=2, best_points=3),
        Line("aptitudes", "Aptitudes", 1, weight=2, points=1, best_points=3),
        Line("publics", "Publics", 2, weight=1, points=0, best_points=2),
        Line("aptitudes", "Aptitudes", 1, weight=1, points=3, best_points=3),
    ]
    scores = compute(lines)
    assert [(t.code, t.score, t.maximum, t.percent) for t in scores.themes] == [
        ("aptitudes", 5, 9, Decimal("55.56")),
        ("publics", 6, 11, Decimal("54.55")),
    ]
    # The total comes from the totals (11 of 20), not from the average of the themes' percents.
    assert (scores.score, scores.maximum, scores.percent) == (11, 20, Decimal("55.00"))


def reference_percent(score: int, maximum: int) -> Decimal:
    """Exact rational arithmetic, rounded half up to the hundredth, independently of Decimal."""
    if maximum == 0:
        return Decimal("0.00")
    hundredths = Fraction(score * 100 * 100, maximum)
    rounded = int(hundredths + Fraction(1, 2))  # floor(x + 1/2) for x >= 0: half up
    return Decimal(rounded) / 100


lines_strategy = st.lists(
    st.builds(
        lambda theme, weight, best, share: Line(theme, theme.upper(), ord(theme), weight, share % (best + 1), best),
        st.sampled_from("abcde"),
        st.integers(min_value=0, max_value=20),
        st.integers(min_value=0, max_value=50),
        st.integers(min_value=0, max_value=1000),
    ),
    max_size=40,
)


@given(lines_strategy)
def test_scores_add_up_and_round_half_up(lines):
    scores = compute(lines)
    for theme in scores.themes:
        mine = [line for line in lines if line.theme_code == theme.code]
        assert theme.score == sum(line.points * line.weight for line in mine)
        assert theme.maximum == sum(line.best_points * line.weight for line in mine)
        assert theme.percent == reference_percent(theme.score, theme.maximum)
    assert scores.score == sum(t.score for t in scores.themes)
    assert scores.maximum == sum(t.maximum for t in scores.themes)
    assert 0 <= scores.percent <= 100
    assert scores.percent == reference_percent(scores.score, scores.maximum)
    assert scores.percent.as_tuple().exponent == -2
    assert [t.position for t in scores.themes] == sorted(t.position for t in scores.themes)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_percent_matches_exact_arithmetic(a, b):
    score, maximum = min(a, b), max(a, b)
    assert percent(score, maximum) == reference_percent(score, maximum)


@pytest.mark.parametrize(
    "threshold,picks,outcome,status",
    [
        # Two questions of weight 1: 3 points at best, then 2 points at best; 5 in all.
        ("60", (1, 0), "to_review", "review"),  # 3 of 5 = 60.00 %: at the threshold
        ("60.01", (1, 0), "below", "pending"),
        ("40", (0, 1), "to_review", "review"),  # 2 of 5 = 40 %
        ("40.01", (0, 1), "below", "pending"),
        ("0", (0, 0), "to_review", "review"),
        ("100", (1, 1), "to_review", "review"),
    ],
)
def test_the_outcome_follows_the_threshold(structure, structure_admin, threshold, picks, outcome, status):
    questionnaire = make_questionnaire([("aptitudes", 1, [0, 3]), ("publics", 1, [0, 2])], threshold=threshold)
    questions = list(questionnaire.questions.order_by("position"))
    answers = {q.pk: list(q.options.order_by("position"))[pick].pk for q, pick in zip(questions, picks, strict=True)}
    submission = services.submission_create(provider=structure, answers=answers, user=structure_admin)
    structure.refresh_from_db()
    assert (submission.outcome, structure.status) == (outcome, status)


def test_the_rounded_percent_meets_the_threshold(structure, structure_admin):
    """2 of 3 is 66.666…: shown as 66,67 %, and that is what a 66.67 % threshold compares."""
    questionnaire = make_questionnaire([("aptitudes", 1, [0, 2, 3])], threshold="66.67")
    question = questionnaire.questions.get()
    answers = {question.pk: question.options.get(points=2).pk}
    submission = services.submission_create(provider=structure, answers=answers, user=structure_admin)
    assert submission.score_percent == Decimal("66.67") and submission.outcome == "to_review"
    assert Submission.objects.get().theme_scores["aptitudes"]["percent"] == "66.67"
