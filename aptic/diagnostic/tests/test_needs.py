"""Training needs of a territory (diagnostic.needs, ADR 0053), checked against a computation made
here from the answers themselves, and against the thresholds under which nothing is shown (4
providers: nothing, 5: the figures). The priority publics are in test_publics.py (ADR 0057)."""

import html
import random
import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from stdnum import luhn

from aptic.core.tests.factories import CommuneFactory, DepartementFactory, MembershipFactory, RegionFactory
from aptic.diagnostic import needs
from aptic.places.models import Place
from aptic.providers import selectors as provider_selectors
from aptic.providers import services as providers
from aptic.providers.models import Submission, SubmissionAnswer
from aptic.reporting.tests.test_usage import voucher, world  # noqa: F401 (world: a fixture)
from aptic.territories.models import Epci
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (the counter's world, a fixture)

pytestmark = pytest.mark.django_db


# --- A territory and its providers -----------------------------------------------------------


@pytest.fixture
def gironde():
    region = RegionFactory(code="75", name="Nouvelle-Aquitaine")
    departement = DepartementFactory(code="33", name="Gironde", region=region)
    # The package's real territories may hold them already (aptic/diagnostic/tests/conftest.py).
    metropole = Epci.objects.get_or_create(
        siren="243300316", defaults={"name": "Bordeaux Métropole", "nature": "METRO"}
    )[0]
    communes = {
        "bordeaux": CommuneFactory(insee_code="33063", name="Bordeaux", departement=departement, epci=metropole,
                                   population=261_804, postal_codes="33000"),
        "pessac": CommuneFactory(insee_code="33318", name="Pessac", departement=departement, epci=metropole,
                                 population=66_760, postal_codes="33600"),
        "libourne": CommuneFactory(insee_code="33243", name="Libourne", departement=departement, population=24_937,
                                   postal_codes="33500"),
        "saint-etienne": CommuneFactory(),  # Loire, elsewhere
    }  # fmt: skip
    return communes


_sirens = iter(range(31_000_000, 32_000_000))


def _siret() -> str:
    base = f"{next(_sirens):08d}"
    siren = base + luhn.calc_check_digit(base)
    return siren + "0001" + luhn.calc_check_digit(siren + "0001")


def _answer(provider, rng: random.Random, *, worst: bool = False):
    """An answer to the active questionnaire (the one the migrations seed), options drawn at random
    (or the worst ones: under the threshold, the provider may answer again)."""
    questionnaire = provider_selectors.active_questionnaire()
    admin = MembershipFactory(organisation=provider.organisation, role="admin").user
    pick = (lambda options: min(options, key=lambda o: o.points)) if worst else rng.choice
    answers = {q.pk: pick(list(q.options.all())).pk for q in questionnaire.answerable_questions}
    return providers.submission_create(provider=provider, answers=answers, user=admin)


def _provider(name: str, commune, rng: random.Random, *, place_in=None, worst: bool = False):
    provider = providers.provider_create(name=name, siret=_siret(), commune=commune)
    if place_in is not None:
        Place.objects.create(provider=provider.organisation, name=f"Lieu de {name}", address="1 rue Test",
                             commune=place_in, latitude=place_in.latitude, longitude=place_in.longitude)  # fmt: skip
    _answer(provider, rng, worst=worst)
    return provider


def _theme_percents(submission: Submission) -> dict[str, Decimal]:
    """Each theme's score in per cent, from the options chosen (not from the scores the platform froze)."""
    got, best = {}, {}
    for answer in SubmissionAnswer.objects.filter(submission=submission).select_related("question__theme", "option"):
        question = answer.question
        code = question.theme.code
        top = max(option.points for option in question.options.all())
        got[code] = got.get(code, 0) + answer.option.points * question.weight
        best[code] = best.get(code, 0) + top * question.weight
    return {code: Decimal(got[code] * 100) / Decimal(best[code]) for code in got if best[code]}


def _expected(provider_ids) -> dict[str, tuple[Decimal, Fraction]]:
    """Theme code → (median percent, share under the threshold) over these providers' latest answers."""
    by_theme = {}
    for provider_id in provider_ids:
        latest = Submission.objects.filter(provider_id=provider_id).order_by("-submitted_at", "-pk").first()
        threshold = latest.questionnaire.threshold_percent
        for code, percent in _theme_percents(latest).items():
            rounded = percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            by_theme.setdefault(code, []).append((rounded, rounded < threshold))
    return {
        code: (
            Decimal(statistics.median(sorted(p for p, _ in values))).quantize(Decimal("0.01"), ROUND_HALF_UP),
            Fraction(sum(below for _, below in values), len(values)),
        )
        for code, values in by_theme.items()
    }


def test_training_needs_appear_at_five_providers_and_match_an_independent_computation(client, gironde):
    rng = random.Random(16)
    inside = [
        _provider("Médiathèque de Bordeaux", gironde["bordeaux"], rng, worst=True),
        _provider("Centre social de Pessac", gironde["pessac"], rng),
        _provider("Espace numérique du Libournais", gironde["libourne"], rng),
        # Seated in Saint-Étienne, acting in Pessac through a place: one of the territory's actors.
        _provider("Réseau ligérien", gironde["saint-etienne"], rng, place_in=gironde["pessac"]),
    ]
    elsewhere = [_provider(f"Structure de la Loire {n}", gironde["saint-etienne"], rng) for n in range(6)]

    four = needs.training_needs("departement", "33")
    assert (four.providers, four.is_published, four.themes) == (4, False, [])
    assert four.providers_label == "moins de 5 structures"
    assert "Moins de 5 structures" in four.message
    assert needs.training_needs("epci", "243300316").themes == []

    inside.append(_provider("Fablab de Bordeaux", gironde["bordeaux"], rng))
    # The latest answer counts: this provider, under the threshold, answers again (the first stays in the history).
    _answer(inside[0], rng)

    five = needs.training_needs("departement", "33")
    expected = _expected(p.pk for p in inside)
    france = _expected(p.pk for p in inside + elsewhere)
    assert (five.providers, five.is_published) == (5, True)
    assert five.threshold_label == "seuil de qualification : 60,0\u202f%"
    assert {t.code for t in five.themes} == set(expected) == {
        "aptitudes", "publics", "territoires", "innovation", "competences-specifiques",
    }  # fmt: skip
    for theme in five.themes:
        median, below = expected[theme.code]
        assert theme.providers == 5
        assert theme.median_percent == median, theme.name
        assert theme.below_share == Decimal(below.numerator) / below.denominator, theme.name
        assert theme.france_median_percent == france[theme.code][0]
        assert theme.median_label == f"{str(median.quantize(Decimal('0.1'), ROUND_HALF_UP)).replace('.', ',')}\u202f%"
    # The weakest first: the largest share under the threshold, then the lowest median.
    order = sorted(expected, key=lambda code: (-expected[code][1], expected[code][0]))
    assert [t.code for t in five.themes][:1] == order[:1]
    assert five.themes[0].name in five.message
    # On the département's diagnostic page, as a table; on France's, a pointer to a territory.
    response = client.get(reverse("diagnostic:departement", kwargs={"code": "33"}))
    page = response.content.decode()
    assert response.status_code == 200, page[page.find("<main") :][:500]
    assert "Besoins de formation des acteurs de la médiation numérique" in page and "Publics prioritaires" in page
    assert "Aucune utilisation de chèque n'est encore publiée pour ce territoire" in html.unescape(page)  # no use
    assert f'<th scope="row">{five.themes[0].name}</th><td class="num">{five.themes[0].median_label}</td>' in page
    assert "5 structures, seuil de qualification" in page
    assert "choisissez un territoire" in client.get(reverse("diagnostic:france")).content.decode()


def test_a_territory_of_fewer_providers_shows_no_figure_about_them(gironde):
    rng = random.Random(7)
    for n in range(5):
        _provider(f"Structure {n}", gironde["bordeaux"] if n < 4 else gironde["libourne"], rng)

    assert needs.training_needs("departement", "33").is_published
    metropole = needs.training_needs("epci", "243300316")  # 4 of them
    commune = needs.training_needs("commune", "33243")  # 1
    assert not metropole.is_published and not commune.is_published
    assert metropole.themes == [] and commune.themes == []


def test_an_unknown_level_is_a_programming_error_and_an_unknown_code_an_empty_territory(gironde):
    with pytest.raises(ValueError):
        needs.training_needs("canton", "33")
    empty = needs.training_needs("departement", "99")
    assert (empty.providers, empty.themes) == (0, [])
    with pytest.raises(ValueError):
        needs.priority_publics("canton", "33")
    publics = needs.priority_publics("commune", "99999")
    assert (publics.is_published, publics.rows, publics.departements) == (False, [], [])
