"""Staff pages: qualification review, subscriptions (payments by transfer, kit shipments)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from aptic.accounts.permissions import staff_required
from aptic.core.errors import DomainError

from .. import selectors, services
from ..forms import KitForm, PaymentForm, ReviewForm, add_domain_error


@staff_required
def review_list(request):
    context = {"to_review": selectors.submissions_to_review(), "decisions": selectors.recent_decisions()}
    return render(request, "providers/staff/review_list.html", context)


@staff_required
def review(request, pk):
    submission = selectors.submission_for_staff(pk)
    if submission is None:
        raise Http404("Ce questionnaire n'existe pas.")
    form = ReviewForm()
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                services.submission_review(
                    submission=submission, reviewer=request.user, approve=approve, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                name = submission.provider.organisation.name
                verdict = "est qualifiée" if approve else "n'est pas qualifiée"
                messages.success(request, f"« {name} » {verdict} ; ses administrateurs sont prévenus par e-mail.")
                return redirect("providers:review_list")
    provider = submission.provider
    context = {
        "submission": submission,
        "provider": provider,
        "organisation": provider.organisation,
        "themes": selectors.theme_rows(submission),
        "answers": selectors.answers_by_theme(submission),
        "history": selectors.submissions_of(provider).exclude(pk=submission.pk),
        "events": selectors.events_of(provider),
        "form": form,
    }
    return render(request, "providers/staff/review.html", context, status=400 if form.errors else 200)


@staff_required
def staff_subscriptions(request):
    return render(request, "providers/staff/subscriptions.html", {"subscriptions": selectors.subscriptions_for_staff()})


@staff_required
def staff_subscription(request, pk):
    subscription = selectors.subscription_for_staff(pk)
    if subscription is None:
        raise Http404("Cet abonnement n'existe pas.")
    provider = subscription.provider
    payment_form = PaymentForm(prefix="payment")
    kit_form = KitForm(prefix="kit", initial={"shipped_on": selectors.today()})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "payment":
                payment_form = PaymentForm(request.POST, prefix="payment")
                if payment_form.is_valid():
                    services.subscription_record_payment(
                        subscription=subscription,
                        covered_until=payment_form.cleaned_data["covered_until"],
                        staff=request.user,
                    )
                    messages.success(request, "Paiement enregistré.")
                    return redirect("providers:staff_subscription", pk=subscription.pk)
            elif action == "kit":
                kit_form = KitForm(request.POST, prefix="kit")
                if kit_form.is_valid():
                    services.kit_shipment_record(
                        provider=provider,
                        shipped_on=kit_form.cleaned_data["shipped_on"],
                        tracking=kit_form.cleaned_data["tracking"],
                        staff=request.user,
                    )
                    messages.success(request, "Envoi du kit enregistré.")
                    return redirect("providers:staff_subscription", pk=subscription.pk)
            else:
                messages.error(request, "Action inconnue : utilisez l'un des formulaires de la page.")
        except DomainError as exc:
            add_domain_error(payment_form if action == "payment" else kit_form, exc)
    context = {
        "subscription": subscription,
        "organisation": provider.organisation,
        "state": selectors.SUBSCRIPTION_STATES.get(selectors.subscription_state(provider), "Aucun abonnement"),
        "kits": selectors.kit_shipments_of(provider),
        "payment_form": payment_form,
        "kit_form": kit_form,
    }
    invalid = payment_form.errors or kit_form.errors or request.method == "POST"
    return render(request, "providers/staff/subscription.html", context, status=400 if invalid else 200)
