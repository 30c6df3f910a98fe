"""Staff pages: quote requests, quotes, invoices and payments, credit notes, the territorial fund."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from aptic.accounts.permissions import staff_required
from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.core.files import file_response
from aptic.vouchers.models import Order

from .. import selectors, services
from ..forms import CorrectionForm, PaymentForm, QuoteForm, ReasonForm, add_domain_error
from ..models import CreditNote, Invoice, Quote, QuoteRequest, QuoteStatus, RequestStatus
from ._common import pdf_response


@staff_required
def staff_requests(request):
    context = {
        "pending": selectors.requests_for_staff(RequestStatus.NEW),
        "handled": selectors.requests_for_staff(None).exclude(status=RequestStatus.NEW).reverse()[:30],
    }
    return render(request, "billing/staff/requests.html", context)


@staff_required
def staff_request(request, pk):
    quote_request = get_object_or_404(QuoteRequest.objects.select_related("commune", "wished_offer"), pk=pk)
    form = ReasonForm()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "quote":
                quote = services.quote_create_from_request(request=quote_request, actor=request.user)
                messages.success(request, "Brouillon de devis créé : complétez-le puis envoyez-le.")
                return redirect("billing:staff_quote", pk=quote.pk)
            form = ReasonForm(request.POST)
            if form.is_valid():
                services.quote_request_close(
                    request=quote_request, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "Demande classée.")
                return redirect("billing:staff_requests")
        except DomainError as exc:
            add_domain_error(form, exc)
    context = {"quote_request": quote_request, "form": form, "quotes": quote_request.quotes.defer("pdf")}
    return render(request, "billing/staff/request.html", context, status=400 if form.errors else 200)


@staff_required
def staff_quotes(request):
    status = request.GET.get("etat", "")
    if status not in QuoteStatus.values:
        status = ""
    context = {
        "quotes": selectors.quotes_for_staff(status or None)[:200],
        "status": status,
        "statuses": QuoteStatus.choices,
    }
    return render(request, "billing/staff/quotes.html", context)


def _quote_form_save(request, quote, form) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        services.quote_update(
            quote=quote,
            actor=request.user,
            offer=data["offer"],
            quantity=data["quantity"],
            booklet_size=data["booklet_size"],
            face_value_cents=data["face_value"] or 0,
            valid_until=data["valid_until"],
            activation=data["activation"],
            max_vouchers_per_act=data["max_vouchers_per_act"],
            options=form.cleaned_options(),
            publics=data["publics"],
            sponsored_providers=data["sponsored_providers"],
            **{name: data[name] for name in services.RULES},
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return False
    return True


@staff_required
def staff_quote(request, pk):
    quote = selectors.quote_for_staff(pk)
    if quote is None:
        raise Http404("Ce devis n'existe pas.")
    form = QuoteForm(initial=QuoteForm.initial_for(quote)) if quote.status == QuoteStatus.DRAFT else None
    reason_form = ReasonForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("save", "send") and quote.status == QuoteStatus.DRAFT:
                form = QuoteForm(request.POST)
                if _quote_form_save(request, quote, form):
                    if action == "send":
                        quote = services.quote_send(quote=quote, actor=request.user)
                        messages.success(request, f"Devis {quote.number} envoyé à {quote.contact_email}.")
                    else:
                        messages.success(request, "Devis enregistré.")
                    return redirect("billing:staff_quote", pk=quote.pk)
            elif action == "renew":
                services.quote_link_renew(quote=quote, actor=request.user)
                messages.success(request, f"Nouveau lien envoyé à {quote.contact_email}.")
                return redirect("billing:staff_quote", pk=quote.pk)
            elif action == "validate":
                quote = services.quote_validate(quote=quote, actor=request.user)
                messages.success(
                    request,
                    f"Commande n° {quote.order_id} créée et émise pour {quote.funder.name} ; "
                    f"{quote.contact_email} est invité à administrer son espace.",
                )
                return redirect("billing:staff_quote", pk=quote.pk)
            elif action == "refuse":
                reason_form = ReasonForm(request.POST)
                if reason_form.is_valid():
                    services.quote_acceptance_refuse(
                        quote=quote, actor=request.user, reason=reason_form.cleaned_data["reason"]
                    )
                    messages.success(request, "Acceptation refusée ; un nouveau lien est envoyé avec le motif.")
                    return redirect("billing:staff_quote", pk=quote.pk)
            elif action == "cancel":
                services.quote_cancel(quote=quote, actor=request.user)
                messages.success(request, "Devis annulé.")
                return redirect("billing:staff_quote", pk=quote.pk)
        except DomainError as exc:
            if form is not None and action in ("save", "send"):
                add_domain_error(form, exc)
            else:
                messages.error(request, exc.message)
                return redirect("billing:staff_quote", pk=quote.pk)
    failed = (form is not None and form.errors) or reason_form.errors
    context = {
        "quote": quote,
        "form": form,
        "reason_form": reason_form,
        "pricing": services.quote_pricing(quote),
        "invoice": Invoice.objects.defer("pdf").filter(order_id=quote.order_id).first() if quote.order_id else None,
    }
    return render(request, "billing/staff/quote.html", context, status=400 if failed else 200)


@staff_required
def staff_quote_pdf(request, pk):
    quote = get_object_or_404(Quote, pk=pk)
    return pdf_response(quote.pdf, f"devis-{quote.number}.pdf")


@staff_required
def staff_quote_acceptance_file(request, pk):
    quote = get_object_or_404(Quote.objects.defer("pdf"), pk=pk)
    return file_response(quote.acceptance_file, f"acceptation-{quote.number}.pdf")


@staff_required
def staff_invoices(request):
    context = {
        "to_invoice": selectors.orders_to_invoice()[:100],
        "invoices": selectors.invoices_for_staff()[:200],
        "credit_notes": selectors.credit_notes_for_staff()[:100],
    }
    return render(request, "billing/staff/invoices.html", context)


@staff_required
@require_POST
def staff_invoice_issue(request, order_pk):
    order = get_object_or_404(Order, pk=order_pk)
    try:
        invoice = services.invoice_issue(order=order, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("billing:staff_invoices")
    messages.success(request, f"Facture {invoice.number} émise : net à payer {formats.euros(invoice.due_cents)}.")
    return redirect("billing:staff_invoice", pk=invoice.pk)


@staff_required
def staff_invoice(request, pk):
    invoice = selectors.invoice_for_staff(pk)
    if invoice is None:
        raise Http404("Cette facture n'existe pas.")
    payment_form = PaymentForm(
        prefix="payment", initial={"amount": invoice.due_cents, "received_on": timezone.localdate()}
    )
    correction_form = CorrectionForm(prefix="correction")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "payment":
            payment_form = PaymentForm(request.POST, prefix="payment")
            if payment_form.is_valid():
                data = payment_form.cleaned_data
                try:
                    services.payment_record(
                        invoice=invoice,
                        amount_cents=data["amount"],
                        received_on=data["received_on"],
                        method=data["method"],
                        reference=data["reference"],
                        actor=request.user,
                    )
                except DomainError as exc:
                    add_domain_error(payment_form, exc)
                else:
                    messages.success(
                        request, f"Paiement de la facture {invoice.number} enregistré ; l'impression est lancée."
                    )
                    return redirect("billing:staff_invoice", pk=invoice.pk)
        elif action == "correction":
            correction_form = CorrectionForm(request.POST, prefix="correction")
            if correction_form.is_valid():
                try:
                    note = services.credit_note_correction_issue(
                        invoice=invoice,
                        amount_excl_vat_cents=correction_form.cleaned_data["amount"],
                        reason=correction_form.cleaned_data["reason"],
                        actor=request.user,
                    )
                except DomainError as exc:
                    add_domain_error(correction_form, exc)
                else:
                    messages.success(request, f"Avoir {note.number} émis.")
                    return redirect("billing:staff_invoice", pk=invoice.pk)
    context = {
        "invoice": invoice,
        "paid": selectors.is_paid(invoice),
        "payment": getattr(invoice, "payment", None) if hasattr(invoice, "payment") else None,
        "corrections": CreditNote.objects.defer("pdf").filter(invoice=invoice),
        "payment_form": payment_form,
        "correction_form": correction_form,
    }
    failed = payment_form.errors or correction_form.errors
    return render(request, "billing/staff/invoice.html", context, status=400 if failed else 200)


@staff_required
def staff_invoice_pdf(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk)
    return pdf_response(invoice.pdf, f"facture-{invoice.number}.pdf")


@staff_required
def staff_credit_note_pdf(request, pk):
    note = get_object_or_404(CreditNote, pk=pk)
    return pdf_response(note.pdf, f"avoir-{note.number}.pdf")


@staff_required
def staff_fund(request):
    context = {
        "territories": selectors.fund_territories(),
        "movements": selectors.fund_movements_recent(),
    }
    return render(request, "billing/staff/fund.html", context)
