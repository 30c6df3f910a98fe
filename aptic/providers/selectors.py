"""Reads about providers.

'Labelled' is one derived notion used everywhere: qualified, current charter accepted, subscription
running (trial or paid, by any means). Everything that asks goes through these functions.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from aptic.accounts.models import LegalCategory, Membership, Organisation, Role
from aptic.core.generations import Generation
from aptic.core.params import MAX_ID
from aptic.territories.models import Departement, Region

from .models import (
    AnswerOption,
    CharterAcceptance,
    CharterVersion,
    KitShipment,
    PaymentMethod,
    Provider,
    ProviderEvent,
    ProviderStatus,
    Question,
    Questionnaire,
    Sponsorship,
    Submission,
    SubmissionOutcome,
    Subscription,
)

TRIAL, ACTIVE, LAPSED, SCHEDULED = "trial", "active", "lapsed", "scheduled"
SUBSCRIPTION_STATES = {TRIAL: "Mois gratuit", ACTIVE: "Actif", LAPSED: "Expiré", SCHEDULED: "À venir"}


def today() -> datetime.date:
    return timezone.localdate()


# --- Labelled ---------------------------------------------------------------------------------


def current_charter(at: datetime.datetime | None = None) -> CharterVersion | None:
    """The latest published version, which every provider must have accepted."""
    at = at or timezone.now()
    return CharterVersion.objects.filter(published_at__lte=at).order_by("-version").first()


def _sponsored_on(day: datetime.date):
    return Exists(Sponsorship.objects.filter(provider=OuterRef("pk"), starts_on__lte=day, ends_on__gte=day))


def subscription_running_q(day: datetime.date) -> Q:
    """On Provider: a subscription has started, is not cancelled, and is free, paid, netted or sponsored on `day`."""
    not_cancelled = Q(subscription__cancelled_on__isnull=True) | Q(subscription__cancelled_on__gt=day)
    covered = (
        Q(subscription__trial_until__gte=day)
        | Q(subscription__covered_until__gte=day)
        | Q(subscription__payment_method=PaymentMethod.NETTING)
        | Q(_sponsored_on(day))
    )
    return Q(subscription__isnull=False) & Q(subscription__started_on__lte=day) & not_cancelled & covered


def labelled_providers(day: datetime.date | None = None) -> QuerySet[Provider]:
    """One query, the current charter as a subquery: this runs at every redemption."""
    day = day or today()
    charter = CharterVersion.objects.filter(published_at__lte=timezone.now()).order_by("-version").values("pk")[:1]
    accepted = Exists(CharterAcceptance.objects.filter(provider=OuterRef("pk"), version=Subquery(charter)))
    return Provider.objects.filter(Q(status=ProviderStatus.QUALIFIED) & Q(accepted) & subscription_running_q(day))


def is_labelled(provider: Provider, day: datetime.date | None = None) -> bool:
    return labelled_providers(day).filter(pk=provider.pk).exists()


# The counter asks "is this structure labelled?" at every redemption; the answer is cached and
# every write that can change it (see signals.py) moves the generation, so it is never stale after a
# committed change. A charter whose publication date arrives with no write is seen within the TTL.
LABELLED_CACHE_SECONDS = 60
LABELLED = Generation("providers:labelled")


def is_labelled_now(provider_id: int, *, day: datetime.date | None = None) -> bool:
    """is_labelled for today, cached: the redemption path's form. `day`: today's date, when the
    caller has read it already (the redemption reads the clock once, ADR 0063); never another day."""
    day = day or today()
    key, answer = LABELLED.get(provider_id, day.isoformat())
    if answer is None:
        answer = labelled_providers(day).filter(pk=provider_id).exists()
        LABELLED.set(key, answer, LABELLED_CACHE_SECONDS)
    return answer


def subscription_state(provider: Provider, day: datetime.date | None = None) -> str | None:
    """trial, active, lapsed, or scheduled (starts later); None without a subscription."""
    day = day or today()
    subscription = Subscription.objects.filter(provider_id=provider.pk).first()
    if subscription is None:
        return None
    if subscription.started_on > day and not subscription.cancelled_on:
        return SCHEDULED
    if Provider.objects.filter(pk=provider.pk).filter(subscription_running_q(day)).exists():
        return TRIAL if subscription.trial_until >= day and not subscription.cancelled_on else ACTIVE
    return LAPSED


def has_accepted_current_charter(provider: Provider) -> bool:
    charter = current_charter()
    return charter is not None and provider.charter_acceptances.filter(version=charter).exists()


# --- Provider records -------------------------------------------------------------------------


def provider_of(organisation: Organisation) -> Provider | None:
    return Provider.objects.filter(organisation=organisation).select_related("organisation").first()


def provider_admin_emails(provider: Provider) -> list[str]:
    """Where decisions are sent: the structure's administrators, else its contact address."""
    emails = list(
        Membership.objects.filter(organisation_id=provider.pk, role=Role.ADMIN, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return emails or ([provider.organisation.email] if provider.organisation.email else [])


def events_of(provider: Provider) -> QuerySet[ProviderEvent]:
    return provider.events.select_related("actor")


# --- Questionnaire and submissions ------------------------------------------------------------


def active_questionnaire() -> Questionnaire | None:
    """The questionnaire in service, with its answerable questions (those with options), in order."""
    questions = (
        Question.objects.filter(Exists(AnswerOption.objects.filter(question=OuterRef("pk"))))
        .select_related("theme")
        .prefetch_related("options")
        .order_by("theme__position", "theme__name", "position", "pk")
    )
    return (
        Questionnaire.objects.filter(is_active=True)
        .prefetch_related(Prefetch("questions", queryset=questions, to_attr="answerable_questions"))
        .first()
    )


def questions_by_theme(questionnaire: Questionnaire) -> list[tuple]:
    """[(theme, [question, ...]), ...] in the order of themes; from active_questionnaire()."""
    groups: list[tuple] = []
    for question in questionnaire.answerable_questions:
        if not groups or groups[-1][0].pk != question.theme_id:
            groups.append((question.theme, []))
        groups[-1][1].append(question)
    return groups


def submissions_of(provider: Provider) -> QuerySet[Submission]:
    return provider.submissions.select_related("submitted_by", "reviewed_by", "questionnaire")


def submissions_for_staff() -> QuerySet[Submission]:
    return Submission.objects.select_related(
        "provider__organisation__commune", "provider__typology", "questionnaire", "submitted_by", "reviewed_by"
    )


def submission_for_staff(pk: int) -> Submission | None:
    return submissions_for_staff().filter(pk=pk).first() if 0 < pk <= MAX_ID else None


def submissions_to_review() -> QuerySet[Submission]:
    """Oldest first: structures wait in the order they answered."""
    return submissions_for_staff().filter(outcome=SubmissionOutcome.TO_REVIEW).order_by("submitted_at", "pk")


def recent_decisions(limit: int = 20) -> QuerySet[Submission]:
    decided = [SubmissionOutcome.APPROVED, SubmissionOutcome.REJECTED]
    return submissions_for_staff().filter(outcome__in=decided).order_by("-reviewed_at", "-pk")[:limit]


@dataclass(frozen=True)
class ThemeRow:
    name: str
    score: int
    maximum: int
    percent: Decimal


def theme_rows(submission: Submission) -> list[ThemeRow]:
    """The scores frozen in the submission, in the order of the themes."""
    entries = sorted((submission.theme_scores or {}).values(), key=lambda e: (e.get("position", 0), e.get("name", "")))
    return [ThemeRow(e["name"], e["score"], e["max"], Decimal(e["percent"])) for e in entries]


def answers_by_theme(submission: Submission) -> list[tuple[str, list]]:
    """[(theme name, [answer, ...]), ...] with each answer's question and chosen option."""
    answers = submission.answers.select_related("question__theme", "option").order_by(
        "question__theme__position", "question__theme__name", "question__position", "question__pk"
    )
    groups: list[tuple[str, list]] = []
    for answer in answers:
        name = answer.question.theme.name
        if not groups or groups[-1][0] != name:
            groups.append((name, []))
        groups[-1][1].append(answer)
    return groups


# --- Charter ----------------------------------------------------------------------------------


def charter_version(pk) -> CharterVersion | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return CharterVersion.objects.filter(pk=pk).first() if 0 < pk <= MAX_ID else None


def last_acceptance(provider: Provider) -> CharterAcceptance | None:
    return provider.charter_acceptances.select_related("version", "accepted_by").order_by("-version__version").first()


# --- Progress towards 'labelled' --------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    done: bool
    url_name: str


@dataclass(frozen=True)
class Progress:
    provider: Provider
    last_submission: Submission | None
    charter: CharterVersion | None
    acceptance: CharterAcceptance | None
    subscription: Subscription | None
    subscription_state: str | None
    kit: KitShipment | None
    labelled: bool
    steps: list[Step]

    @property
    def charter_accepted(self) -> bool:
        return (
            self.acceptance is not None and self.charter is not None and self.acceptance.version_id == self.charter.pk
        )

    @property
    def charter_outdated(self) -> bool:
        """An older version was accepted and a newer one waits."""
        return self.acceptance is not None and not self.charter_accepted

    @property
    def subscription_state_label(self) -> str:
        return SUBSCRIPTION_STATES.get(self.subscription_state, "Aucun abonnement")

    @property
    def missing(self) -> list[Step]:
        return [step for step in self.steps if not step.done]


def provider_progress(provider: Provider, day: datetime.date | None = None) -> Progress:
    day = day or today()
    charter = current_charter()
    acceptance = last_acceptance(provider)
    subscription = Subscription.objects.filter(provider=provider).first()
    state = subscription_state(provider, day)
    accepted = acceptance is not None and charter is not None and acceptance.version_id == charter.pk
    steps = [
        Step(
            "qualification",
            "Être qualifiée #APTIC",
            provider.status == ProviderStatus.QUALIFIED,
            "providers:questionnaire",
        ),
        Step("charter", "Accepter la charte en vigueur", accepted, "providers:charter"),
        Step("subscription", "Avoir un abonnement en cours", state in (TRIAL, ACTIVE), "providers:subscription"),
    ]
    return Progress(
        provider=provider,
        last_submission=submissions_of(provider).first(),
        charter=charter,
        acceptance=acceptance,
        subscription=subscription,
        subscription_state=state,
        kit=provider.kit_shipments.order_by("-shipped_on", "-pk").first(),
        labelled=is_labelled(provider, day),
        steps=steps,
    )


# --- Subscriptions (staff) --------------------------------------------------------------------


def subscriptions_for_staff() -> QuerySet[Subscription]:
    return Subscription.objects.select_related("provider__organisation__commune").order_by(
        "provider__organisation__name"
    )


def subscription_for_staff(pk: int) -> Subscription | None:
    return subscriptions_for_staff().filter(pk=pk).first() if 0 < pk <= MAX_ID else None


def kit_shipments_of(provider: Provider) -> QuerySet[KitShipment]:
    return provider.kit_shipments.select_related("recorded_by").order_by("-shipped_on", "-pk")


# --- Funders' territory and sponsorships ------------------------------------------------------


@dataclass(frozen=True)
class Territory:
    kind: str  # "departement" or "region"
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"département {self.name} ({self.code})" if self.kind == "departement" else f"région {self.name}"


def funder_territory(funder: Organisation) -> Territory | None:
    """The territory whose qualified providers a funder may sponsor.

    It is the département of the funder organisation's commune; for a région (legal category
    "region") it is the région of that commune. A provider belongs to it through its own
    organisation's commune (its seat), not through its places. None when the funder has no commune.
    """
    commune = funder.commune
    if commune is None:
        return None
    if funder.legal_category == LegalCategory.REGION:
        region = Region.objects.get(pk=commune.region_id)
        return Territory("region", region.code, region.name)
    departement = Departement.objects.get(pk=commune.departement_id)
    return Territory("departement", departement.code, departement.name)


def _territory_q(territory: Territory) -> Q:
    field = (
        "organisation__commune__region_id" if territory.kind == "region" else "organisation__commune__departement_id"
    )
    return Q(**{field: territory.code})


def in_territory(provider: Provider, territory: Territory) -> bool:
    return Provider.objects.filter(_territory_q(territory), pk=provider.pk).exists()


def territory_providers(territory: Territory, day: datetime.date | None = None) -> QuerySet[Provider]:
    """Qualified providers of the territory, with `sponsored_until` (latest sponsorship end not past)."""
    day = day or today()
    return (
        Provider.objects.filter(_territory_q(territory), status=ProviderStatus.QUALIFIED, organisation__is_active=True)
        .select_related("organisation__commune", "typology", "subscription")
        .annotate(sponsored_until=Max("sponsorships__ends_on", filter=Q(sponsorships__ends_on__gte=day)))
        .order_by("organisation__name")
    )


def sponsorships_of(funder: Organisation) -> QuerySet[Sponsorship]:
    return funder.sponsorships.select_related("provider__organisation__commune", "created_by").order_by(
        "-starts_on", "provider__organisation__name"
    )
