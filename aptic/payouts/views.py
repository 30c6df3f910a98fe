"""Payout pages: the provider's statements and bank details, staff's verification and runs."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required, staff_required
from aptic.core import tabular
from aptic.core.errors import DomainError
from aptic.core.files import file_response

from . import bank, selectors, services, statements
from .forms import BankDetailsForm, ReasonForm, ReviewForm, RunForm, add_domain_error
from .models import BankDetails, Payout, PayoutRun, PayoutStatus, RunStatus

PROVIDERS = [OrganisationKind.PROVIDER]
PER_PAGE = 50
FORMATS = {
    "pdf": ("application/pdf", statements.statement_pdf),
    "csv": (tabular.CSV_CONTENT_TYPE, statements.statement_csv),
    "xlsx": (tabular.XLSX_CONTENT_TYPE, statements.statement_xlsx),
}


def _statement(payout: Payout, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Ce format de relevé n'existe pas.")
    content_type, render_file = FORMATS[fmt]
    response = HttpResponse(render_file(payout), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{statements.filename(payout, fmt)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Provider -----------------------------------------------------------------------------------


@organisation_required(kinds=PROVIDERS)
def provider_statements(request):
    organisation = request.organisation
    page = Paginator(selectors.payouts_of(organisation), PER_PAGE).get_page(request.GET.get("page") or 1)
    context = {
        "organisation": organisation,
        "balance": selectors.provider_balance(organisation),
        "page": page,
        "details": selectors.current_bank_details(organisation),
        "is_admin": request.membership.is_admin,
    }
    return render(request, "payouts/provider_statements.html", context)


@organisation_required(kinds=PROVIDERS)
def provider_statement(request, pk, fmt):
    payout = get_object_or_404(
        Payout.objects.select_related("run", "provider").exclude(status=PayoutStatus.CANCELLED),
        pk=pk,
        provider=request.organisation,
    )
    return _statement(payout, fmt)


@organisation_required(kinds=PROVIDERS, admin=True)
def provider_bank(request):
    organisation = request.organisation
    form = BankDetailsForm()
    if request.method == "POST":
        form = BankDetailsForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                bank.bank_details_submit(
                    provider=organisation,
                    user=request.user,
                    holder=data["holder"],
                    iban=data["iban"],
                    bic=data["bic"],
                    rib=data["rib"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    "Coordonnées bancaires enregistrées. Les remboursements attendent leur vérification par "
                    "l'équipe #APTIC ; les administrateurs de la structure sont prévenus par e-mail.",
                )
                return redirect("payouts:provider_bank", org_slug=organisation.slug)
    context = {
        "organisation": organisation,
        "current": selectors.current_bank_details(organisation),
        "history": selectors.bank_history(organisation),
        "form": form,
    }
    return render(request, "payouts/provider_bank.html", context, status=400 if form.errors else 200)


@organisation_required(kinds=PROVIDERS, admin=True)
def provider_rib(request, pk):
    details = get_object_or_404(BankDetails, pk=pk, provider=request.organisation)
    return file_response(details.rib, details.rib_name)


# --- Staff: bank details ------------------------------------------------------------------------


@staff_required
def staff_bank_details(request):
    context = {"to_review": selectors.bank_details_to_review(), "decisions": selectors.bank_details_reviewed()}
    return render(request, "payouts/staff/bank_details.html", context)


@staff_required
def staff_bank_detail(request, pk):
    details = get_object_or_404(BankDetails.objects.select_related("provider", "submitted_by", "reviewed_by"), pk=pk)
    form = ReviewForm()
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            verify = form.cleaned_data["decision"] == "verify"
            try:
                bank.bank_details_review(
                    details=details, staff=request.user, verify=verify, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                verdict = "vérifiées" if verify else "refusées"
                messages.success(
                    request,
                    f"Coordonnées de « {details.provider.name} » {verdict} ; ses administrateurs sont prévenus.",
                )
                return redirect("payouts:staff_bank_details")
    context = {"details": details, "history": selectors.bank_history(details.provider), "form": form}
    return render(request, "payouts/staff/bank_detail.html", context, status=400 if form.errors else 200)


@staff_required
def staff_rib(request, pk):
    details = get_object_or_404(BankDetails, pk=pk)
    return file_response(details.rib, details.rib_name)


# --- Staff: runs --------------------------------------------------------------------------------


@staff_required
def staff_runs(request):
    form = RunForm()
    if request.method == "POST":
        form = RunForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = services.run_create(
                    kind=data["kind"], user=request.user, month=data["month"], provider=data["provider"]
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Virement {run.reference} en préparation.")
                return redirect("payouts:staff_run", pk=run.pk)
    page = Paginator(selectors.runs(), PER_PAGE).get_page(request.GET.get("page") or 1)
    return render(request, "payouts/staff/runs.html", {"form": form, "page": page}, status=400 if form.errors else 200)


ACTIONS = {
    "take": (services.run_take_charge, "Vous avez repris la préparation de ce virement."),
    "approve": (services.run_approve, "Virement approuvé : il peut être exporté vers la banque."),
    "export": (services.run_export, "Export lancé : le fichier SEPA sera prêt à la fin du travail."),
    "paid": (services.run_mark_paid, "Virement marqué payé."),
    "resume": (services.run_resume, "Le travail interrompu reprend là où il s'était arrêté."),
}


@staff_required
def staff_run(request, pk):
    run = get_object_or_404(PayoutRun.objects.select_related("prepared_by", "approved_by", "job"), pk=pk)
    cancel_form = ReasonForm(prefix="cancel")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ACTIONS:
                service, done = ACTIONS[action]
                service(run=run, user=request.user)
                messages.success(request, done)
                return redirect("payouts:staff_run", pk=run.pk)
            if action == "cancel":
                cancel_form = ReasonForm(request.POST, prefix="cancel")
                if cancel_form.is_valid():
                    services.run_cancel(run=run, user=request.user, reason=cancel_form.cleaned_data["reason"])
                    messages.success(request, "Virement annulé : ses chèques seront repris par un prochain virement.")
                    return redirect("payouts:staff_run", pk=run.pk)
                status = 400
            else:
                messages.error(request, "Action inconnue : utilisez les boutons de la page.")
                status = 400
        except DomainError as exc:
            if action == "cancel":
                add_domain_error(cancel_form, exc)
                status = 400
            else:
                messages.error(request, exc.message)
                return redirect("payouts:staff_run", pk=run.pk)
    page = Paginator(selectors.run_payouts(run), PER_PAGE).get_page(request.GET.get("page") or 1)
    context = {
        "run": run,
        "totals": selectors.run_totals(run),
        "page": page,
        "cancel_form": cancel_form,
        "can_cancel": run.status in (RunStatus.DRAFT, RunStatus.APPROVED),
        "statuses": RunStatus,
    }
    return render(request, "payouts/staff/run.html", context, status=status)


@staff_required
def staff_sepa(request, pk):
    run = get_object_or_404(PayoutRun, pk=pk)
    if run.status not in (RunStatus.EXPORTED, RunStatus.PAID):
        raise Http404("Ce virement n'a pas encore de fichier SEPA.")
    return file_response(run.sepa_file, f"{run.reference}.xml")


@staff_required
def staff_payout(request, pk):
    payout = get_object_or_404(Payout.objects.select_related("run", "provider", "bank_details"), pk=pk)
    form = ReasonForm(prefix="reject")
    if request.method == "POST":
        form = ReasonForm(request.POST, prefix="reject")
        if form.is_valid():
            try:
                services.payout_reject(payout=payout, user=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Remboursement marqué rejeté : ses chèques iront dans le prochain virement.")
                return redirect("payouts:staff_payout", pk=payout.pk)
    context = {"payout": payout, "form": form, "fees": payout.netted_fees.all()}
    return render(request, "payouts/staff/payout.html", context, status=400 if form.errors else 200)


@staff_required
def staff_statement(request, pk, fmt):
    return _statement(get_object_or_404(Payout.objects.select_related("run", "provider"), pk=pk), fmt)
