"""The funder's pages: invoices and credit notes, the territorial fund (the orders' page is in funders)."""

from django.shortcuts import get_object_or_404, render

from aptic.accounts.models import OrganisationKind
from aptic.accounts.permissions import organisation_required

from .. import selectors
from ..models import CreditNote, Invoice, Quote, QuoteStatus
from ._common import pdf_response

FUNDER = [OrganisationKind.FUNDER]


@organisation_required(kinds=FUNDER)
def funder_documents(request):
    funder = request.organisation
    context = {
        "invoices": selectors.invoices_of(funder),
        "credit_notes": selectors.credit_notes_of(funder),
        "credit_left": selectors.credit_left(funder),
    }
    return render(request, "billing/funder/documents.html", context)


@organisation_required(kinds=FUNDER)
def funder_invoice_pdf(request, pk):
    invoice = get_object_or_404(Invoice, funder=request.organisation, pk=pk)
    return pdf_response(invoice.pdf, f"facture-{invoice.number}.pdf")


@organisation_required(kinds=FUNDER)
def funder_credit_note_pdf(request, pk):
    note = get_object_or_404(CreditNote, funder=request.organisation, pk=pk)
    return pdf_response(note.pdf, f"avoir-{note.number}.pdf")


@organisation_required(kinds=FUNDER)
def funder_quote_pdf(request, pk):
    quote = get_object_or_404(Quote.objects.exclude(status__in=[QuoteStatus.DRAFT]), funder=request.organisation, pk=pk)
    return pdf_response(quote.pdf, f"devis-{quote.number}.pdf")


@organisation_required(kinds=FUNDER)
def funder_fund(request):
    funder = request.organisation
    territory = selectors.funder_fund_territory(funder)
    movements = selectors.fund_movements(territory)
    context = {
        "territory": territory,
        "balance": selectors.fund_balance(territory),
        "movements": movements[:200],
        "own_total": sum(m.amount_cents for m in movements if m.funder_id == funder.pk),
    }
    return render(request, "billing/funder/fund.html", context)
