"""The provider's space: dashboard, questionnaire, charter, subscription. Members read; administrators act."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required
from aptic.core.errors import DomainError

from .. import counters, selectors, services
from ..forms import CharterForm, QuestionnaireForm, SubscriptionForm, add_domain_error
from ..models import ProviderStatus, SubmissionOutcome, Subscription
from ..scoring import percent_label

PROVIDER = [OrganisationKind.PROVIDER]


def _admin_only(request) -> None:
    if not request.membership.is_admin:
        raise PermissionDenied("Cette action est réservée aux administrateurs de la structure.")


def _provider(request):
    return services.provider_ensure(organisation=request.organisation)


@organisation_required(kinds=PROVIDER)
def dashboard(request):
    provider = _provider(request)
    context = {
        "organisation": request.organisation,
        "progress": selectors.provider_progress(provider),
        "counts": counters.counts(request.organisation),
    }
    return render(request, "providers/dashboard.html", context)


@organisation_required(kinds=PROVIDER)
def questionnaire(request):
    provider = _provider(request)
    active = selectors.active_questionnaire()
    form = QuestionnaireForm(questionnaire=active) if active else None
    if request.method == "POST":
        _admin_only(request)
        if active is None:
            messages.error(request, "Le questionnaire qualité n'est pas disponible pour le moment.")
            return redirect("providers:questionnaire", org_slug=request.organisation.slug)
        form = QuestionnaireForm(request.POST, questionnaire=active)
        if form.is_valid():
            try:
                submission = services.submission_create(provider=provider, answers=form.answers(), user=request.user)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _submitted_message(submission))
                return redirect("providers:questionnaire", org_slug=request.organisation.slug)
    provider.refresh_from_db()
    submissions = list(selectors.submissions_of(provider))
    context = {
        "organisation": request.organisation,
        "provider": provider,
        "questionnaire": active,
        "form": form,
        "can_answer": provider.status in (ProviderStatus.PENDING, ProviderStatus.REJECTED),
        "last": submissions[0] if submissions else None,
        "last_themes": selectors.theme_rows(submissions[0]) if submissions else [],
        "submissions": submissions,
        "events": selectors.events_of(provider),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "providers/questionnaire.html", context, status=status)


def _submitted_message(submission) -> str:
    score = percent_label(submission.score_percent)
    threshold = percent_label(submission.questionnaire.threshold_percent)
    if submission.outcome == SubmissionOutcome.TO_REVIEW:
        return (
            f"Merci ! Votre score de {score} atteint le seuil de {threshold} : l'équipe #APTIC examine votre dossier "
            "et vous répondra par e-mail."
        )
    return (
        f"Votre score est de {score}, sous le seuil de {threshold}. Vous pouvez répondre à nouveau quand vos "
        "pratiques auront évolué."
    )


@organisation_required(kinds=PROVIDER)
def charter(request):
    provider = _provider(request)
    current = selectors.current_charter()
    form = CharterForm(initial={"version": current.pk if current else None})
    if request.method == "POST":
        _admin_only(request)
        form = CharterForm(request.POST)
        if form.is_valid():
            try:
                services.charter_accept(
                    provider=provider,
                    version=selectors.charter_version(form.cleaned_data["version"]),
                    user=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Votre structure a accepté la charte (version {current.version}).")
                return redirect("providers:charter", org_slug=request.organisation.slug)
    acceptance = selectors.last_acceptance(provider)
    context = {
        "organisation": request.organisation,
        "provider": provider,
        "charter": current,
        "acceptance": acceptance,
        "accepted": acceptance is not None and current is not None and acceptance.version_id == current.pk,
        "form": form,
    }
    return render(request, "providers/charter.html", context, status=400 if form.errors else 200)


@organisation_required(kinds=PROVIDER)
def subscription(request):
    provider = _provider(request)
    form = SubscriptionForm()
    if request.method == "POST":
        _admin_only(request)
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            try:
                started = services.subscription_start(
                    provider=provider,
                    plan=form.cleaned_data["plan"],
                    payment_method=form.cleaned_data["payment_method"],
                    user=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Abonnement enregistré : {started.get_plan_display()}.")
                return redirect("providers:subscription", org_slug=request.organisation.slug)
    progress = selectors.provider_progress(provider)
    context = {
        "organisation": request.organisation,
        "progress": progress,
        "subscription": progress.subscription,
        "form": form,
        "can_start": progress.subscription is None
        or progress.subscription.cancelled_on is not None
        or progress.subscription_state == selectors.LAPSED,
        "kits": selectors.kit_shipments_of(provider),
    }
    return render(request, "providers/subscription.html", context, status=400 if form.errors else 200)


@require_POST
@organisation_required(kinds=PROVIDER, admin=True)
def subscription_cancel(request):
    subscription = get_object_or_404(Subscription, provider__organisation=request.organisation)
    try:
        cancelled = services.subscription_cancel(subscription=subscription, user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Abonnement résilié : il prend fin le {cancelled.cancelled_on:%d/%m/%Y}.")
    return redirect("providers:subscription", org_slug=request.organisation.slug)
