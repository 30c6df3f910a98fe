"""Pages of quotes, invoices, credit notes and the territorial fund: public, staff and funder."""

from .funder import (
    funder_credit_note_pdf,
    funder_documents,
    funder_fund,
    funder_invoice_pdf,
    funder_quote_pdf,
)
from .public import quote_accept, quote_accept_pdf, quote_request, quote_request_done
from .staff import (
    staff_credit_note_pdf,
    staff_fund,
    staff_invoice,
    staff_invoice_issue,
    staff_invoice_pdf,
    staff_invoices,
    staff_quote,
    staff_quote_acceptance_file,
    staff_quote_pdf,
    staff_quotes,
    staff_request,
    staff_requests,
)

__all__ = [
    "funder_credit_note_pdf",
    "funder_documents",
    "funder_fund",
    "funder_invoice_pdf",
    "funder_quote_pdf",
    "quote_accept",
    "quote_accept_pdf",
    "quote_request",
    "quote_request_done",
    "staff_credit_note_pdf",
    "staff_fund",
    "staff_invoice",
    "staff_invoice_issue",
    "staff_invoice_pdf",
    "staff_invoices",
    "staff_quote",
    "staff_quote_acceptance_file",
    "staff_quote_pdf",
    "staff_quotes",
    "staff_request",
    "staff_requests",
]
