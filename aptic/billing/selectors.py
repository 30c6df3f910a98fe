"""Reads of the commercial side, for staff pages, funder pages and the funder space.

PDF bytes are deferred everywhere but where a PDF is served.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum

from aptic.vouchers.models import Order

from .models import (
    CreditApplication,
    CreditNote,
    FundMovement,
    Invoice,
    Offer,
    Payment,
    Quote,
    QuoteRequest,
    QuoteStatus,
    RequestStatus,
)

# The commercial stages of an order (the funder space adds printing, shipping, usage after "paid").
STAGE_QUOTE, STAGE_ACCEPTED, STAGE_INVOICED, STAGE_PAID = "quote", "accepted", "invoiced", "paid"
STAGE_LABELS = {
    STAGE_QUOTE: "Devis",
    STAGE_ACCEPTED: "Acceptée",
    STAGE_INVOICED: "Facturée",
    STAGE_PAID: "Payée",
}


def offers_active() -> QuerySet[Offer]:
    return Offer.objects.filter(is_active=True).order_by("position", "pk")


def requests_for_staff(status: str | None = RequestStatus.NEW) -> QuerySet[QuoteRequest]:
    queryset = QuoteRequest.objects.select_related("commune", "wished_offer").order_by("created_at", "pk")
    return queryset.filter(status=status) if status else queryset


def quotes_for_staff(status: str | None = None) -> QuerySet[Quote]:
    queryset = Quote.objects.defer("pdf").select_related("offer", "funder", "order").order_by("-created_at", "-pk")
    return queryset.filter(status=status) if status else queryset


def quote_for_staff(pk) -> Quote | None:
    return (
        Quote.objects.select_related("offer", "funder", "order", "request", "buyer_commune", "created_by")
        .prefetch_related("options")
        .filter(pk=pk)
        .first()
    )


def invoices_for_staff() -> QuerySet[Invoice]:
    return Invoice.objects.defer("pdf").select_related("funder", "payment").order_by("-issued_on", "-number")


def orders_to_invoice() -> QuerySet[Order]:
    """Issued orders without an invoice (quote-validated ones, and those made in the back office)."""
    return (
        Order.objects.filter(issued_at__isnull=False)
        .exclude(Exists(Invoice.objects.filter(order=OuterRef("pk"))))
        .annotate(face_total=F("quantity") * F("face_value_cents"))
        .select_related("funder")
        .order_by("issued_at", "pk")
    )


def credit_notes_for_staff() -> QuerySet[CreditNote]:
    return CreditNote.objects.defer("pdf").select_related("funder", "invoice").order_by("-issued_on", "-number")


def invoice_for_staff(pk) -> Invoice | None:
    return (
        Invoice.objects.defer("pdf")
        .select_related("funder", "order", "quote")
        .prefetch_related("lines", "credit_applications__credit_note")
        .filter(pk=pk)
        .first()
    )


def invoices_of(funder) -> QuerySet[Invoice]:
    return (
        Invoice.objects.defer("pdf").filter(funder=funder).select_related("payment").order_by("-issued_on", "-number")
    )


def credit_notes_of(funder) -> QuerySet[CreditNote]:
    return (
        CreditNote.objects.defer("pdf")
        .filter(funder=funder)
        .annotate(used=Sum("applications__amount_cents"))
        .order_by("-issued_on", "-number")
    )


def credit_left(funder) -> int:
    """Credit still to deduct from the funder's next invoices, in cents."""
    total = CreditNote.objects.filter(funder=funder).aggregate(t=Sum("total_cents"))["t"] or 0
    used = CreditApplication.objects.filter(credit_note__funder=funder).aggregate(t=Sum("amount_cents"))["t"] or 0
    return total - used


def quotes_of(funder) -> QuerySet[Quote]:
    return (
        Quote.objects.defer("pdf")
        .filter(funder=funder)
        .exclude(status__in=[QuoteStatus.DRAFT, QuoteStatus.CANCELLED])
        .select_related("offer", "order")
        .order_by("-created_at", "-pk")
    )


def is_paid(invoice: Invoice) -> bool:
    return invoice.due_cents == 0 or Payment.objects.filter(invoice=invoice).exists()


def commercial_stages(order_ids) -> dict[int, str]:
    """{order id: stage} for orders: accepted (validated, not invoiced), invoiced, paid."""
    ids = list(order_ids)
    invoices = dict(Invoice.objects.filter(order_id__in=ids).values_list("order_id", "pk"))
    paid = set(
        Invoice.objects.filter(order_id__in=ids)
        .filter(Q(due_cents=0) | Q(payment__isnull=False))
        .values_list("order_id", flat=True)
    )
    return {
        order_id: STAGE_PAID if order_id in paid else STAGE_INVOICED if order_id in invoices else STAGE_ACCEPTED
        for order_id in ids
    }


def order_commercial_stage(order: Order) -> str:
    return commercial_stages([order.pk])[order.pk]


@dataclass
class PipelineRow:
    """One line of a funder's commercial pipeline: a quote not yet turned into an order, or an order."""

    stage: str
    quote: Quote | None
    order: Order | None
    invoice: Invoice | None
    status_label: str = ""  # an order's one status (funders.selectors.order_status_labels), when known

    @property
    def stage_label(self) -> str:
        return self.status_label or STAGE_LABELS[self.stage]


def funder_pipeline(funder) -> list[PipelineRow]:
    """Quotes sent or accepted, then orders, newest first, each with its commercial stage."""
    rows = [
        PipelineRow(STAGE_ACCEPTED if q.status == QuoteStatus.ACCEPTED else STAGE_QUOTE, q, None, None)
        for q in quotes_of(funder).filter(order__isnull=True, status__in=[QuoteStatus.SENT, QuoteStatus.ACCEPTED])
    ]
    orders = list(Order.objects.filter(funder=funder).order_by("-created_at", "-pk"))
    stages = commercial_stages(o.pk for o in orders)
    quotes = {q.order_id: q for q in Quote.objects.defer("pdf").filter(order__in=orders)}
    invoices = {i.order_id: i for i in Invoice.objects.defer("pdf").filter(order__in=orders)}
    rows += [PipelineRow(stages[o.pk], quotes.get(o.pk), o, invoices.get(o.pk)) for o in orders]
    return rows


@dataclass
class Territory:
    kind: str
    code: str
    name: str


def funder_fund_territory(funder) -> Territory:
    from .invoicing import _funder_territory

    return Territory(*_funder_territory(funder))


def fund_movements(territory: Territory) -> QuerySet[FundMovement]:
    return (
        FundMovement.objects.filter(territory_kind=territory.kind, territory_code=territory.code)
        .select_related("funder")
        .order_by("-created_at", "-pk")
    )


def fund_balance(territory: Territory) -> int:
    return fund_movements(territory).aggregate(t=Sum("amount_cents"))["t"] or 0


def fund_territories() -> list[dict]:
    """Staff: each territory's fund, with its balance and number of contributions."""
    from django.db.models import Count

    return list(
        FundMovement.objects.values("territory_kind", "territory_code", "territory_name")
        .annotate(balance=Sum("amount_cents"), contributions=Count("pk"))
        .order_by("territory_kind", "territory_code")
    )


def fund_movements_recent(limit: int = 100) -> list[FundMovement]:
    return list(FundMovement.objects.select_related("funder").order_by("-created_at", "-pk")[:limit])
