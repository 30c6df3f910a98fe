"""The quality content shipped by the data migration."""

from decimal import Decimal

from aptic.providers import selectors
from aptic.providers.models import QualificationTheme


def test_five_themes_and_an_active_questionnaire(db):
    assert list(QualificationTheme.objects.values_list("name", flat=True)) == [
        "Aptitudes",
        "Publics",
        "Territoires",
        "Innovation",
        "Compétences spécifiques",
    ]
    questionnaire = selectors.active_questionnaire()
    assert questionnaire.name == "Questionnaire qualité #APTIC"
    assert questionnaire.threshold_percent == Decimal("60.00")
    groups = selectors.questions_by_theme(questionnaire)
    assert [theme.name for theme, _ in groups] == list(QualificationTheme.objects.values_list("name", flat=True))
    for _, questions in groups:
        assert 2 <= len(questions) <= 3
        for question in questions:
            points = [option.points for option in question.options.all()]
            assert len(points) >= 3 and min(points) == 0 and question.weight >= 1
            assert question.text.endswith("?")
