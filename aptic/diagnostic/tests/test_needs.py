"""Training needs and priority publics of a territory (diagnostic.needs, ADR 0053), checked against
a computation made here from the answers themselves and the vouchers spent, and against the
thresholds under which nothing is shown (4 providers: nothing, 5: the figures)."""

import random
import statistics
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from stdnum import luhn

from aptic.core.tests.factories import CommuneFactory, DepartementFactory, MembershipFactory, RegionFactory
from aptic.diagnostic import needs
from aptic.distribution.shipments import booklet_hand_out, shipment_create
from aptic.places.models import Offer, Place
from aptic.printing.models import PrintRelease
from aptic.providers import selectors as provider_selectors
from aptic.providers import services as providers
from aptic.providers.models import Submission, SubmissionAnswer
from aptic.reporting.tests.test_usage import voucher, world  # noqa: F401 (world: a fixture)
from aptic.territories.models import Commune, Epci
from aptic.vouchers.redemption import redemption_create
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (the counter's world, a fixture)
from aptic.vouchers.tests.test_views_support import issue

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
    assert "secret statistique" in page  # the publics' counts stay in the open data, not per territory
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
    publics = needs.priority_publics("commune", "99999")
    assert (publics.population, publics.rows) == (0, [])
    assert publics.message == "Aucun chèque n'a encore été utilisé dans les lieux de ce territoire."


# --- Priority publics ------------------------------------------------------------------------


def test_blanking_takes_a_second_count_when_one_alone_would_come_back_by_difference():
    assert needs._blanked({"senior": 30, "young": 12, "student": 4}) == {"student", "young"}
    assert needs._blanked({"senior": 30, "young": 3, "student": 4}) == {"student", "young"}
    assert needs._blanked({"senior": 30, "young": 11}) == set()
    assert needs._blanked({"senior": 5}) == {"senior"}  # alone: the total is itself under the threshold


def test_a_population_of_zero_gives_no_rate_and_no_division_by_zero():
    figures = needs._figures({"senior": 20, "young": 30}, 0)
    assert figures["senior"] == needs.Figures(20, None, Decimal("0.4"))
    row = needs.PublicUse("senior", "Senior", figures["senior"], figures["senior"])
    assert (row.per_thousand_label, row.share_label, row.index) == (needs.NO_RATE, "40,0\u202f%", 100)
    publics = needs.PriorityPublics(population=0, rows=[row])
    assert publics.message == "La population de ce territoire n'est pas connue : aucun taux pour 1 000 habitants."


def _spend(order, place, offer, provider, cashier, first: int, last: int):
    """Vouchers first..last of the order used two by two (20 € on a 25 € workshop)."""
    for sequence in range(first, last + 1, 2):
        codes = [voucher(order, s).code for s in range(sequence, min(sequence + 2, last + 1))]
        redemption_create(provider=provider, place=place, offer=offer, codes=codes, user=cashier)


def test_priority_publics_per_thousand_inhabitants_and_shares_beside_france(world, funder, staff):  # noqa: F811
    today = timezone.localdate()
    distributor = world["distributor"]
    member = MembershipFactory(organisation=distributor, role="member").user
    first, second = world["order"], issue(funder, quantity=20)
    PrintRelease.objects.create(order=second, reason="paid", released_by=staff)
    shipment_create(order=first, recipient=distributor, ranges=[(4, 4)], shipped_on=today, user=staff)
    shipment_create(order=second, recipient=distributor, ranges=[(1, 2)], shipped_on=today, user=staff)
    # Booklets of 10. First order: 1 (already) and 2 to seniors, 3 and 4 to the young; second: a job
    # seeker, a student.
    for order, number, public in ((first, 2, "senior"), (first, 3, "young"), (first, 4, "young"),
                                  (second, 1, "job_seeker"), (second, 2, "student")):  # fmt: skip
        booklet_hand_out(organisation=distributor, order_id=order.pk, number=number, category=public, user=member)
    gironde = DepartementFactory(code="33", name="Gironde", region=RegionFactory(code="75", name="Nouvelle-Aquitaine"))
    bordeaux = CommuneFactory(
        insee_code="33063", name="Bordeaux", population=261_804, postal_codes="33000", departement=gironde
    )
    antenna = Place.objects.create(
        provider=world["provider"], name="Antenne de Bordeaux", address="1 cours Test", commune=bordeaux,
        latitude=bordeaux.latitude, longitude=bordeaux.longitude,
    )  # fmt: skip
    antenna_offer = Offer.objects.create(place=antenna, category=world["category"], title="Atelier", price_cents=2500,
                                         duration_minutes=60, format="group")  # fmt: skip
    here = (world["place"], world["offer"], world["provider"], world["cashier"])
    there = (antenna, antenna_offer, world["provider"], world["cashier"])
    _spend(first, *here, 1, 15)  # 15 seniors in the Loire
    _spend(first, *there, 16, 20)  # 5 in Bordeaux
    _spend(first, *here, 21, 32)  # 12 young in the Loire
    _spend(first, *there, 33, 40)  # 8 in Bordeaux
    _spend(second, *here, 1, 3)  # 3 job seekers in the Loire
    _spend(second, *here, 11, 14)  # 4 students in the Loire

    loire = needs.priority_publics("departement", world["commune"].departement_id)

    # Every commune of the département and of France (the package loads the real territories).
    population = Commune.objects.filter(departement_id=world["commune"].departement_id).aggregate(n=Sum("population"))[
        "n"
    ]
    france_population = Commune.objects.aggregate(n=Sum("population"))["n"]
    assert loire.population == population
    rows = {row.code: row for row in loire.rows}
    assert set(rows) == {"senior", "young", "job_seeker", "student"}
    # 3 and 4 are under 11: blanked with their rates and shares (two blanks: their sum, 7, tells neither).
    for code in ("job_seeker", "student"):
        assert rows[code].local == needs.Figures(None, None, None)
        assert rows[code].france.blanked  # France has the same 3 and 4
        assert (rows[code].vouchers_label, rows[code].share_label) == (needs.SECRET, needs.SECRET)
    senior, young = rows["senior"], rows["young"]
    assert (senior.local.vouchers, young.local.vouchers, senior.france.vouchers, young.france.vouchers) == (
        15,
        12,
        20,
        20,
    )
    close = lambda value, exact: abs(Fraction(value) - exact) < Fraction(1, 10**20)  # noqa: E731
    assert close(senior.local.per_thousand, Fraction(15_000, population))
    assert close(senior.france.per_thousand, Fraction(20_000, france_population))
    assert close(senior.local.share, Fraction(15, 34)) and close(senior.france.share, Fraction(20, 47))
    assert senior.per_thousand_label == f"{Decimal(15_000) / population:.2f}".replace(".", ",")
    assert senior.share_label == "44,1\u202f%"  # 15 / 34
    # Shares against France's: seniors 15/34 against 20/47 (104), the young 12/34 against 20/47 (83).
    assert (senior.index, young.index) == (104, 83)
    assert senior.comparison_label == "plus représenté qu'en France"
    assert young.comparison_label == "moins représenté qu'en France"
    assert [row.code for row in loire.rows] == ["senior", "young", "job_seeker", "student"]
    assert loire.priorities == ["Senior"]
    assert loire.message == "Publics plus représentés qu'en France : Senior."
