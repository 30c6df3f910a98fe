"""Demo providers through their journey: most labelled, some pending, below the threshold, waiting for
review or rejected; subscriptions of every kind, a few sponsored by the Département de la Gironde.
Each step dated after the one before, as the product orders them (ADR 0037): eligibility request,
questionnaire, staff decision, charter, subscription, kit — all before the year of use."""

import datetime
import random

from aptic.providers import scoring
from aptic.providers import services as providers
from aptic.providers.models import PaymentMethod, SubscriptionPlan
from aptic.providers.selectors import active_questionnaire, current_charter

# By rank of the provider (1-based) modulo 10: what stage it reached.
PENDING, BELOW, REVIEW, REJECTED = 0, 1, 2, 3
PLANS = [
    (SubscriptionPlan.YEARLY, PaymentMethod.NETTING),
    (SubscriptionPlan.MONTHLY, PaymentMethod.NETTING),
    (SubscriptionPlan.YEARLY, PaymentMethod.TRANSFER),
    (SubscriptionPlan.MONTHLY, PaymentMethod.TRANSFER),
]


# How well the field answers each theme, 0 (the weakest option) to 1 (the best): teams are trained
# and open to every public more often than they innovate or hold the specific skills (a helper's
# accreditation, disabled people's needs). Shifted per département, so that two territories'
# weakest themes differ on the diagnostic pages.
THEME_LEVELS = {
    "aptitudes": 0.72,
    "publics": 0.68,
    "territoires": 0.58,
    "innovation": 0.42,
    "competences-specifiques": 0.5,
}
DEPARTEMENT_SHIFTS = {
    "33": {"territoires": -0.15, "innovation": 0.12},
    "42": {"competences-specifiques": -0.15, "aptitudes": -0.08, "territoires": 0.1},
}


def _answers(questionnaire, rng: random.Random, shifts: dict[str, float], *, passing: bool) -> dict[int, int]:
    """Answers drawn around each theme's level (the field's, the département's shift, the provider's
    own), each question a little off its theme's: a total at or above the threshold when `passing`,
    under it otherwise, drawn again a little higher (or lower) until it is."""
    questions = questionnaire.answerable_questions
    for attempt in range(100):
        lift = 0.03 * attempt if passing else -0.03 * attempt
        strengths = {
            code: min(0.98, max(0.02, level + shifts.get(code, 0) + lift + rng.gauss(0, 0.15)))
            for code, level in THEME_LEVELS.items()
        }
        answers, lines = {}, []
        for question in questions:
            options = sorted(question.options.all(), key=lambda o: (o.points, o.position))
            drawn = strengths.get(question.theme.code, 0.6) * (len(options) - 1) + rng.gauss(0, 0.6)
            option = options[min(len(options) - 1, max(0, round(drawn)))]
            answers[question.pk] = option.pk
            theme = question.theme
            lines.append(
                scoring.Line(theme.code, theme.name, theme.position, question.weight, option.points, options[-1].points)
            )
        if (scoring.compute(lines).percent >= questionnaire.threshold_percent) == passing:
            return answers
    raise AssertionError("no demo answer on the right side of the threshold")


def _admin_of(organisation):
    return organisation.memberships.filter(role="admin").select_related("user").first().user


def build(context) -> None:
    rng = context.rng
    staff = _admin_of(context.organisations["platform"][0])
    questionnaire = active_questionnaire()
    calendar = context.calendar
    # The charter shipped by a migration is published when the platform opens, not when the
    # database was made: the providers accept it after it was published.
    charter = providers.charter_version_publish(version=current_charter(), at=calendar.platform_opened)
    gironde = context.organisations["funder_dep"][0]
    gironde_admin = _admin_of(gironde)
    sponsored = []
    for rank, organisation in enumerate(context.organisations.get("providers", []), start=1):
        provider = organisation.provider
        admin = _admin_of(organisation)
        stage = rank % 10
        if stage == PENDING:
            continue
        answered = organisation.demo_requested_at + datetime.timedelta(days=rng.randint(3, 20), hours=1)
        decided = calendar.moment(calendar._day(answered.date(), rng.randint(2, 10)), 11)
        signed = decided + datetime.timedelta(days=rng.randint(0, 4), hours=3)
        # Its own random source: the answers vary without changing what the shared one draws next.
        answers = _answers(
            questionnaire,
            random.Random(f"aptic-demo-questionnaire-{rank}"),
            DEPARTEMENT_SHIFTS.get(organisation.commune.departement_id, {}),
            passing=stage != BELOW,
        )
        submission = providers.submission_create(provider=provider, answers=answers, user=admin, at=answered)
        if stage in (BELOW, REVIEW):
            continue
        if stage == REJECTED:
            providers.submission_review(
                submission=submission,
                reviewer=staff,
                approve=False,
                reason="Les ateliers décrits relèvent de la formation bureautique payante, pas de la médiation "
                "numérique : précisez l'accompagnement des publics éloignés du numérique.",
                at=decided,
            )
            continue
        providers.submission_review(
            submission=submission, reviewer=staff, approve=True, reason="Dossier complet.", at=decided
        )
        providers.charter_accept(provider=provider, version=charter, user=admin, at=signed)
        if organisation.commune.departement_id == "33" and len(sponsored) < 5:
            sponsored.append((provider, signed))
            continue
        plan, method = PLANS[rank % len(PLANS)]
        started = signed.date() + datetime.timedelta(days=rng.randint(1, 10))
        subscription = providers.subscription_start(
            provider=provider, plan=plan, payment_method=method, user=admin, today=started
        )
        if method == PaymentMethod.TRANSFER:
            providers.subscription_record_payment(
                subscription=subscription,
                covered_until=calendar.today + datetime.timedelta(days=rng.randint(20, 300)),
                staff=staff,
                at=calendar.moment(started + datetime.timedelta(days=3), 16),
            )
        providers.kit_shipment_record(
            provider=provider,
            shipped_on=started + datetime.timedelta(days=7),
            tracking=f"Colissimo 6A{rng.randint(10**9, 10**10 - 1)}",
            staff=staff,
        )
    if sponsored:
        # Decided by the Gironde the day after the last of them signed the charter, for a year.
        day = max(signed for _, signed in sponsored).date() + datetime.timedelta(days=1)
        chosen = [p for p, _ in sponsored]
        first = providers.sponsorships_create(
            funder=gironde, providers=chosen, starts_on=day, user=gironde_admin, on=day
        )
        # Renewed a fortnight before the year ends, for the next one.
        renewed = first[0].ends_on + datetime.timedelta(days=1)
        decided = min(calendar.today, renewed - datetime.timedelta(days=14))
        providers.sponsorships_create(
            funder=gironde, providers=chosen, starts_on=renewed, user=gironde_admin, on=decided
        )
