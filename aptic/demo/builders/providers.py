"""Demo providers through their journey: most labelled, some pending, below the threshold, waiting for
review or rejected; subscriptions of every kind, a few sponsored by the Département de la Gironde.
Each step dated after the one before, as the product orders them (ADR 0037): eligibility request,
questionnaire, staff decision, charter, subscription, kit — all before the year of use."""

import datetime

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


def _answers(questionnaire, best: bool) -> dict[int, int]:
    answers = {}
    for question in questionnaire.questions.prefetch_related("options"):
        options = sorted(question.options.all(), key=lambda o: o.points)
        answers[question.pk] = (options[-1] if best else options[0]).pk
    return answers


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
        submission = providers.submission_create(
            provider=provider, answers=_answers(questionnaire, best=stage != BELOW), user=admin, at=answered
        )
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
