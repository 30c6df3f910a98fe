"""Writes about providers: eligibility request, qualification, charter, subscription, sponsorship, kit.

Every write is keyword-only and atomic, and refuses bad input with a DomainError in French (ADR 0003).
E-mails leave after the commit, so nothing is sent for a rolled-back change.
"""

import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from aptic.accounts import services as accounts
from aptic.accounts.models import LegalCategory, Membership, Organisation, OrganisationKind, Role
from aptic.accounts.permissions import is_platform_staff, staff_check
from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock, identifiers
from aptic.core.errors import AccessDenied, DomainError
from aptic.core.phones import clean_phone

from . import scoring, selectors
from .dates import add_months
from .models import (
    CharterAcceptance,
    CharterVersion,
    KitShipment,
    PaymentMethod,
    Provider,
    ProviderEvent,
    ProviderStatus,
    Sponsorship,
    Submission,
    SubmissionAnswer,
    SubmissionOutcome,
    Subscription,
    SubscriptionPlan,
)
from .models.subscription import PLAN_PRICES_CENTS

REASON_MAX_LENGTH = 5000
TRACKING_MAX_LENGTH = 200


def clean_siret(raw: str) -> str:
    """Digits only, checked (length and Luhn key), or a DomainError in French."""
    return identifiers.clean_siret(
        raw,
        missing="Indiquez le numéro SIRET de la structure (14 chiffres).",
        invalid="Le numéro SIRET « {raw} » n'est pas valide : il compte 14 chiffres et sa clé doit être correcte. "
        "Vérifiez-le sur votre avis de situation INSEE ou sur annuaire-entreprises.data.gouv.fr.",
    )


def _duplicate_siret(siret: str) -> DomainError:
    return DomainError(
        f"Une structure avec le SIRET {siret} est déjà inscrite sur #APTIC. Si c'est la vôtre, demandez à son "
        "administrateur de vous inviter, ou écrivez à l'équipe #APTIC.",
        field="siret",
    )


def _domain_error(exc: ValidationError) -> DomainError:
    """A model validation error (French, from full_clean) as a DomainError on its first field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.message_dict.items()))
        return DomainError(" ".join(errors), field=None if field == NON_FIELD_ERRORS else field)
    return DomainError(" ".join(exc.messages))


def _check_admin(user, organisation: Organisation) -> None:
    """Provider and funder actions are for the organisation's administrators (views check it too)."""
    if not (
        user is not None
        and user.is_authenticated
        and user.is_active
        and Membership.objects.filter(user=user, organisation=organisation, role=Role.ADMIN).exists()
    ):
        raise AccessDenied("Cette action est réservée aux administrateurs de l'organisation.")


def _status_set(provider: Provider, status: str, *, actor, reason: str = "", at=None) -> None:
    """Every change of qualification status leaves an event: who, from, to, why, when (`at`, now by default)."""
    if provider.status == status:
        return
    at = clock.moment(at)
    ProviderEvent.objects.create(
        provider=provider, from_status=provider.status, to_status=status, actor=actor, reason=reason, created_at=at
    )
    provider.status = status
    if status == ProviderStatus.QUALIFIED:
        provider.qualified_at = at
    provider.save(update_fields=["status", "qualified_at"])


def _date(value: datetime.date) -> str:
    return value.strftime("%d/%m/%Y")


# --- Eligibility request ----------------------------------------------------------------------


@transaction.atomic
def provider_create(
    *,
    name: str,
    siret: str,
    commune,
    address: str = "",
    typology=None,
    legal_category: str = LegalCategory.OTHER,
    email: str = "",
    phone: str = "",
    actor=None,
    at=None,
) -> Provider:
    """A structure in state *pending*; the SIRET is unique among providers. `at`: when it asked to
    be eligible (now by default, never to come)."""
    at = clock.moment(at)
    siret = clean_siret(siret)
    if Organisation.objects.filter(kind=OrganisationKind.PROVIDER, siret=siret).exists():
        raise _duplicate_siret(siret)
    if commune is None:
        raise DomainError("Indiquez la commune de la structure.", field="commune")
    try:
        organisation = accounts.organisation_create(
            kind=OrganisationKind.PROVIDER,
            name=name,
            legal_category=legal_category,
            siret=siret,
            commune=commune,
            address=(address or "").strip()[:250],
            email=email,
            phone=phone,
            at=at,
        )
    except (IntegrityError, ValidationError, DomainError) as exc:
        # Two requests for one SIRET at once: the constraint decides (at validation or at insert), and
        # the other is told why. Any other invalid field becomes a French DomainError, not a crash.
        if Organisation.objects.filter(kind=OrganisationKind.PROVIDER, siret=siret).exists():
            raise _duplicate_siret(siret) from None
        if isinstance(exc, (IntegrityError, DomainError)):
            raise
        raise _domain_error(exc) from None
    provider = Provider.objects.create(organisation=organisation, typology=typology, requested_at=at)
    ProviderEvent.objects.create(provider=provider, to_status=ProviderStatus.PENDING, actor=actor, created_at=at)
    return provider


@transaction.atomic
def provider_apply(
    *,
    siret: str,
    name: str,
    address: str,
    commune,
    typology,
    legal_category: str,
    contact_name: str,
    email: str,
    phone: str,
) -> Provider:
    """The public eligibility request: the structure, pending, and an e-mailed invitation for its contact
    person to become its administrator. All or nothing."""
    contact_name = " ".join((contact_name or "").split())
    if not contact_name:
        raise DomainError("Indiquez le nom de la personne à contacter.", field="contact_name")
    if len(contact_name) > 150:
        raise DomainError(
            "Le nom de la personne à contacter est trop long (150 caractères au plus).", field="contact_name"
        )
    if legal_category not in LegalCategory.values:
        raise DomainError("Choisissez la catégorie juridique de la structure.", field="legal_category")
    if typology is not None and not typology.is_active:
        raise DomainError("Cette typologie n'est plus proposée : choisissez-en une autre.", field="typology")
    if not (address or "").strip():
        raise DomainError("Indiquez l'adresse de la structure.", field="address")
    email = accounts.normalise_email(email)
    phone = clean_phone(phone, commune.departement_id if commune is not None else "")
    if not phone:
        raise DomainError("Indiquez un numéro de téléphone.", field="phone")
    provider = provider_create(
        name=name,
        siret=siret,
        commune=commune,
        address=address,
        typology=typology,
        legal_category=legal_category,
        email=email,
        phone=phone,
    )
    provider.contact_name = contact_name
    provider.save(update_fields=["contact_name"])
    accounts.invitation_create(organisation=provider.organisation, email=email, role=Role.ADMIN, invited_by=None)
    return provider


@transaction.atomic
def provider_ensure(*, organisation: Organisation) -> Provider:
    """The provider record of a provider organisation, opened pending if the organisation was made
    without one (in the back office, or by the demo)."""
    if organisation.kind != OrganisationKind.PROVIDER:
        raise DomainError("Cette organisation n'est pas une structure de médiation numérique.")
    provider, created = Provider.objects.get_or_create(organisation=organisation)
    if created:
        ProviderEvent.objects.create(provider=provider, to_status=ProviderStatus.PENDING)
    return provider


# --- Qualification ----------------------------------------------------------------------------


def _chosen_options(questionnaire, answers) -> list[tuple]:
    """[(question, option), ...] for every question, or a DomainError naming the first problem."""
    if not isinstance(answers, dict):
        raise DomainError("Les réponses sont illisibles : rechargez la page et répondez à nouveau.")
    try:
        given = {int(question_id): int(option_id) for question_id, option_id in answers.items()}
    except (TypeError, ValueError):
        raise DomainError("Une réponse est illisible : rechargez la page et répondez à nouveau.") from None
    questions = {question.pk: question for question in questionnaire.answerable_questions}
    if set(given) - set(questions):
        raise DomainError(
            "Une réponse porte sur une question qui ne fait pas partie du questionnaire en service : "
            "rechargez la page et répondez à nouveau."
        )
    missing = [question for question in questions.values() if question.pk not in given]
    if missing:
        raise DomainError(
            f"Répondez à toutes les questions : {len(missing)} sans réponse, dont « {missing[0].text} ».",
            field=f"q{missing[0].pk}",
        )
    chosen = []
    for question in questions.values():
        option = next((o for o in question.options.all() if o.pk == given[question.pk]), None)
        if option is None:
            raise DomainError(
                f"La réponse choisie pour « {question.text} » n'en fait pas partie : choisissez l'une des réponses "
                "proposées.",
                field=f"q{question.pk}",
            )
        chosen.append((question, option))
    return chosen


@transaction.atomic
def submission_create(*, provider: Provider, answers: dict[int, int], user, at=None) -> Submission:
    """Score an answer to the active questionnaire (answers: question id → option id). At or above the
    threshold, the structure goes to the staff's review; below, it stays pending and may answer again.
    `at`: when it was sent (now by default; never to come, nor before the eligibility request)."""
    _check_admin(user, provider.organisation)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    at = clock.moment(at)
    if at < provider.requested_at:
        raise DomainError("Le questionnaire ne peut pas précéder la demande d'éligibilité.", field="at")
    if provider.status == ProviderStatus.QUALIFIED:
        raise DomainError("Votre structure est déjà qualifiée #APTIC : le questionnaire n'est plus à remplir.")
    if provider.status == ProviderStatus.REVIEW:
        raise DomainError(
            "Votre dernier questionnaire est en cours d'examen par l'équipe #APTIC. Vous pourrez répondre à "
            "nouveau si la qualification est refusée."
        )
    questionnaire = selectors.active_questionnaire()
    if questionnaire is None or not questionnaire.answerable_questions:
        raise DomainError(
            "Le questionnaire qualité n'est pas disponible pour le moment. Réessayez plus tard ou écrivez à "
            "l'équipe #APTIC."
        )
    chosen = _chosen_options(questionnaire, answers)
    scores = scoring.compute(
        scoring.Line(
            theme_code=question.theme.code,
            theme_name=question.theme.name,
            theme_position=question.theme.position,
            weight=question.weight,
            points=option.points,
            best_points=max(o.points for o in question.options.all()),
        )
        for question, option in chosen
    )
    # The rounded percent, the one the structure is shown, is what meets the threshold or not.
    reached = scores.percent >= questionnaire.threshold_percent
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                provider=provider,
                questionnaire=questionnaire,
                submitted_by=user,
                score=scores.score,
                max_score=scores.maximum,
                score_percent=scores.percent,
                theme_scores=scores.themes_json(),
                outcome=SubmissionOutcome.TO_REVIEW if reached else SubmissionOutcome.BELOW_THRESHOLD,
                submitted_at=at,
            )
    except IntegrityError:
        raise DomainError("Un questionnaire de votre structure est déjà en cours d'examen.") from None
    SubmissionAnswer.objects.bulk_create(
        SubmissionAnswer(submission=submission, question=question, option=option) for question, option in chosen
    )
    reason = (
        f"Questionnaire qualité : {scoring.percent_label(scores.percent)} "
        f"(seuil {scoring.percent_label(questionnaire.threshold_percent)})."
    )
    _status_set(
        provider, ProviderStatus.REVIEW if reached else ProviderStatus.PENDING, actor=user, reason=reason, at=at
    )
    return submission


def _send_review_email(submission: Submission, recipients: list[str]) -> None:
    organisation = submission.provider.organisation
    link = settings.SITE_URL + reverse("providers:questionnaire", kwargs={"org_slug": organisation.slug})
    approved = submission.outcome == SubmissionOutcome.APPROVED
    send_mail(
        subject=f"Qualification #APTIC : {organisation.name} est {'qualifiée' if approved else 'non qualifiée'}",
        message=render_to_string(
            "providers/email/review_decision.txt",
            {"submission": submission, "organisation": organisation, "approved": approved, "link": link},
        ),
        from_email=None,
        recipient_list=recipients,
    )


@transaction.atomic
def submission_review(*, submission: Submission, reviewer, approve: bool, reason: str, at=None) -> Submission:
    """Staff decision on a submission above the threshold: the structure is qualified or rejected, and
    its administrators are told by e-mail. A refusal needs a reason, which they receive. `at`: when
    (now by default; never to come, nor before the submission)."""
    staff_check(reviewer)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    provider = Provider.objects.select_for_update().select_related("organisation").get(pk=submission.provider_id)
    if submission.outcome != SubmissionOutcome.TO_REVIEW:
        raise DomainError(f"Cette réponse a déjà été examinée (résultat : {submission.get_outcome_display().lower()}).")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise DomainError("Indiquez le motif du refus : il est envoyé à la structure.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(f"Le motif est trop long ({REASON_MAX_LENGTH} caractères au plus).", field="reason")
    at = clock.moment(at)
    if at < submission.submitted_at:
        raise DomainError("La décision ne peut pas précéder l'envoi du questionnaire.", field="at")
    submission.outcome = SubmissionOutcome.APPROVED if approve else SubmissionOutcome.REJECTED
    submission.reviewed_by = reviewer
    submission.reviewed_at = at
    submission.review_reason = reason
    submission.save(update_fields=["outcome", "reviewed_by", "reviewed_at", "review_reason"])
    _status_set(
        provider,
        ProviderStatus.QUALIFIED if approve else ProviderStatus.REJECTED,
        actor=reviewer,
        reason=reason or "Qualification accordée.",
        at=at,
    )
    submission.provider = provider
    audit_record(
        actor=reviewer,
        action=AuditAction.SUBMISSION_REVIEWED,
        target=provider,
        organisation=provider.organisation,
        details={"approved": approve, "reason": reason, "submission": submission.pk},
        at=at,
    )
    recipients = selectors.provider_admin_emails(provider)
    if recipients:
        transaction.on_commit(lambda: _send_review_email(submission, recipients))
    return submission


# --- Charter ----------------------------------------------------------------------------------


@transaction.atomic
def charter_version_publish(*, version: CharterVersion, at=None) -> CharterVersion:
    """Publish a version of the charter at `at` (now by default), or move the publication of a version
    nobody has accepted yet: from then on it is the one every provider must accept."""
    version = CharterVersion.objects.select_for_update().get(pk=version.pk)
    if version.acceptances.exists():
        raise DomainError("Cette version de la charte a déjà été acceptée : sa date de publication ne change plus.")
    version.published_at = at or timezone.now()
    version.save(update_fields=["published_at"])
    return version


@transaction.atomic
def charter_accept(*, provider: Provider, version, user, at=None) -> CharterAcceptance:
    """Only the version in force can be accepted: someone who read an older page must read the new one.
    `at`: when (now by default, never to come)."""
    _check_admin(user, provider.organisation)
    at = clock.moment(at)
    current = selectors.current_charter()
    if current is None:
        raise DomainError("Aucune charte n'est publiée pour le moment : réessayez plus tard.")
    if version is None or version.pk != current.pk:
        raise DomainError(
            f"Cette version de la charte n'est plus en vigueur : lisez la version {current.version} "
            "ci-dessous, puis acceptez-la.",
            field="version",
        )
    if at < current.published_at:
        raise DomainError("La charte n'était pas encore publiée à cette date.")
    if provider.charter_acceptances.filter(version=current).exists():
        raise DomainError("Votre structure a déjà accepté cette version de la charte.")
    try:
        with transaction.atomic():
            return CharterAcceptance.objects.create(
                provider=provider, version=current, accepted_by=user, accepted_at=at
            )
    except IntegrityError:
        raise DomainError("Votre structure a déjà accepté cette version de la charte.") from None


# --- Subscription and kit ---------------------------------------------------------------------


@transaction.atomic
def subscription_start(
    *, provider: Provider, plan: str, payment_method: str, user, today: datetime.date | None = None
) -> Subscription:
    """Subscribe a qualified structure that accepted the charter; the first month is free. Resuming after
    a cancellation or a lapse keeps the dates: the free month is given once."""
    _check_admin(user, provider.organisation)
    today = today or selectors.today()
    if plan not in SubscriptionPlan.values:
        raise DomainError("Choisissez une formule : mensuelle ou annuelle.", field="plan")
    if payment_method not in (PaymentMethod.TRANSFER, PaymentMethod.NETTING):
        raise DomainError(
            "Choisissez un mode de paiement : virement, ou déduction des remboursements de chèques.",
            field="payment_method",
        )
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if provider.status != ProviderStatus.QUALIFIED:
        raise DomainError("Votre structure doit d'abord être qualifiée #APTIC : répondez au questionnaire qualité.")
    if not selectors.has_accepted_current_charter(provider):
        raise DomainError("Acceptez d'abord la charte et les conditions générales d'utilisation en vigueur.")
    subscription = Subscription.objects.filter(provider=provider).first()
    price = PLAN_PRICES_CENTS[SubscriptionPlan(plan)]
    if subscription is None:
        return Subscription.objects.create(
            provider=provider,
            plan=plan,
            payment_method=payment_method,
            price_cents=price,
            started_on=today,
            trial_until=add_months(today, 1),
            created_at=clock.moment_of(today),
        )
    state = selectors.subscription_state(provider, today)
    if subscription.cancelled_on is None and state in (selectors.TRIAL, selectors.ACTIVE, selectors.SCHEDULED):
        raise DomainError("Votre structure a déjà un abonnement en cours.")
    subscription.plan = plan
    subscription.payment_method = payment_method
    subscription.price_cents = price
    subscription.cancelled_on = None
    subscription.save(update_fields=["plan", "payment_method", "price_cents", "cancelled_on"])
    return subscription


@transaction.atomic
def subscription_cancel(*, subscription: Subscription, user, today: datetime.date | None = None) -> Subscription:
    """Ends the subscription after the period already free, paid or sponsored, never before it."""
    subscription = (
        Subscription.objects.select_for_update().select_related("provider__organisation").get(pk=subscription.pk)
    )
    _check_admin(user, subscription.provider.organisation)
    if subscription.cancelled_on is not None:
        raise DomainError(f"Cet abonnement est déjà résilié, à compter du {_date(subscription.cancelled_on)}.")
    today = today or selectors.today()
    sponsored_until = subscription.provider.sponsorships.filter(starts_on__lte=today).aggregate(end=Max("ends_on"))[
        "end"
    ]
    ends = [d for d in (subscription.trial_until, subscription.covered_until, sponsored_until) if d is not None]
    subscription.cancelled_on = max(today, max(ends) + datetime.timedelta(days=1))
    subscription.save(update_fields=["cancelled_on"])
    return subscription


@transaction.atomic
def subscription_record_payment(
    *, subscription: Subscription, covered_until: datetime.date, staff, at=None
) -> Subscription:
    """Staff record a payment by transfer: the subscription is paid up to `covered_until` (inclusive).
    Only the coverage is recorded; the money itself goes through the ledger (issue #4). `at`: when
    (now by default, never to come)."""
    staff_check(staff)
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if not isinstance(covered_until, datetime.date):
        raise DomainError("Indiquez la date de fin de la période payée.", field="covered_until")
    if covered_until <= subscription.started_on:
        raise DomainError(
            f"La période payée doit finir après le début de l'abonnement ({_date(subscription.started_on)}).",
            field="covered_until",
        )
    if subscription.covered_until is not None and covered_until <= subscription.covered_until:
        raise DomainError(
            f"L'abonnement est déjà payé jusqu'au {_date(subscription.covered_until)} : indiquez une date postérieure.",
            field="covered_until",
        )
    if covered_until > add_months(selectors.today(), 24):
        raise DomainError("Une période payée ne peut pas finir plus de deux ans à l'avance.", field="covered_until")
    subscription.covered_until = covered_until
    subscription.save(update_fields=["covered_until"])
    audit_record(
        actor=staff,
        action=AuditAction.SUBSCRIPTION_PAYMENT,
        target=subscription,
        organisation=subscription.provider.organisation,
        details={"covered_until": covered_until},
        at=clock.moment(at),
    )
    return subscription


def clean_kit_shipment(provider: Provider, shipped_on, tracking: str) -> str:
    """The tracking text, cleaned, or a DomainError: used by the service and by the back office's form."""
    if not Subscription.objects.filter(provider_id=provider.pk).exists():
        raise DomainError(
            f"« {provider} » n'a pas d'abonnement : le kit #APTIC est envoyé aux structures abonnées.",
            field="provider",
        )
    if not isinstance(shipped_on, datetime.date):
        raise DomainError("Indiquez la date d'envoi du kit.", field="shipped_on")
    if shipped_on > selectors.today():
        raise DomainError("La date d'envoi ne peut pas être dans le futur.", field="shipped_on")
    tracking = " ".join((tracking or "").split())
    if len(tracking) > TRACKING_MAX_LENGTH:
        raise DomainError(f"Le suivi est trop long ({TRACKING_MAX_LENGTH} caractères au plus).", field="tracking")
    return tracking


@transaction.atomic
def kit_shipment_record(*, provider: Provider, shipped_on: datetime.date, tracking: str, staff) -> KitShipment:
    staff_check(staff)
    tracking = clean_kit_shipment(provider, shipped_on, tracking)
    shipment = KitShipment.objects.create(
        provider=provider,
        shipped_on=shipped_on,
        tracking=tracking,
        recorded_by=staff,
        created_at=clock.moment_of(shipped_on),
    )
    audit_record(
        actor=staff,
        action=AuditAction.KIT_SHIPPED,
        target=provider,
        organisation=provider.organisation,
        details={"shipped_on": shipped_on, "tracking": tracking},
        at=shipment.created_at,
    )
    return shipment


# --- Sponsorship ------------------------------------------------------------------------------


@transaction.atomic
def sponsorship_create(
    *,
    funder: Organisation,
    provider: Provider,
    starts_on: datetime.date,
    ends_on: datetime.date,
    user,
    on: datetime.date | None = None,
) -> Sponsorship:
    """A funder pays one year of the yearly plan for a qualified provider of its territory
    (selectors.funder_territory). Creates the provider's subscription, sponsored, if it has none.
    `on`: the day it is decided (today by default, never to come): the sponsorship starts no earlier."""
    if funder.kind != OrganisationKind.FUNDER:
        raise DomainError("Seul un commanditaire peut parrainer l'abonnement d'une structure.")
    # Staff too: they validate a quote whose funder chose to sponsor providers (billing).
    if not is_platform_staff(user):
        _check_admin(user, funder)
    territory = selectors.funder_territory(funder)
    if territory is None:
        raise DomainError(
            "La commune de votre organisation n'est pas renseignée : l'équipe #APTIC doit la compléter pour "
            "définir votre territoire."
        )
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    name = Organisation.objects.values_list("name", flat=True).get(pk=provider.pk)
    if not selectors.in_territory(provider, territory):
        raise DomainError(
            f"La structure « {name} » n'est pas sur votre territoire ({territory.label}) : vous ne pouvez parrainer "
            "que les structures de votre territoire.",
            field="providers",
        )
    if provider.status != ProviderStatus.QUALIFIED:
        raise DomainError(f"La structure « {name} » n'est pas qualifiée #APTIC : elle ne peut pas être parrainée.")
    today = on or selectors.today()
    if today > selectors.today():
        raise DomainError("Un parrainage ne peut pas être décidé dans le futur.", field="on")
    if not isinstance(starts_on, datetime.date) or not isinstance(ends_on, datetime.date):
        raise DomainError("Indiquez les dates du parrainage.", field="starts_on")
    if starts_on < today:
        raise DomainError("Un parrainage ne peut pas commencer dans le passé.", field="starts_on")
    if starts_on > add_months(today, 12):
        raise DomainError("Un parrainage commence au plus tard dans un an.", field="starts_on")
    if ends_on < starts_on or ends_on >= add_months(starts_on, 12):
        raise DomainError("Un parrainage dure un an au plus.", field="starts_on")
    overlapping = provider.sponsorships.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).order_by("-ends_on")
    if overlapping.exists():
        other = overlapping.first()
        raise DomainError(
            f"La structure « {name} » est déjà parrainée du {_date(other.starts_on)} au {_date(other.ends_on)}.",
            field="providers",
        )
    subscription = Subscription.objects.filter(provider=provider).first()
    if subscription is not None and subscription.cancelled_on is not None:
        raise DomainError(
            f"La structure « {name} » a résilié son abonnement : elle doit se réabonner avant d'être parrainée.",
            field="providers",
        )
    if subscription is None:
        Subscription.objects.create(
            provider=provider,
            plan=SubscriptionPlan.YEARLY,
            payment_method=PaymentMethod.SPONSORED,
            price_cents=PLAN_PRICES_CENTS[SubscriptionPlan.YEARLY],
            started_on=starts_on,
            trial_until=add_months(starts_on, 1),
            created_at=clock.moment_of(today),
        )
    return Sponsorship.objects.create(
        funder=funder,
        provider=provider,
        starts_on=starts_on,
        ends_on=ends_on,
        amount_cents=PLAN_PRICES_CENTS[SubscriptionPlan.YEARLY],
        created_by=user,
        created_at=clock.moment_of(today),
    )


@transaction.atomic
def sponsorships_create(
    *, funder: Organisation, providers, starts_on: datetime.date, user, on: datetime.date | None = None
) -> list[Sponsorship]:
    """Sponsor several providers for one year from `starts_on`: all of them, or none if one is refused.
    `on`: as sponsorship_create's."""
    providers = list(providers)
    if not providers:
        raise DomainError("Choisissez au moins une structure à parrainer.", field="providers")
    if not isinstance(starts_on, datetime.date):
        raise DomainError("Indiquez la date de début du parrainage.", field="starts_on")
    ends_on = add_months(starts_on, 12) - datetime.timedelta(days=1)
    return [
        sponsorship_create(funder=funder, provider=provider, starts_on=starts_on, ends_on=ends_on, user=user, on=on)
        for provider in providers
    ]
