"""Reads about payouts: what a provider is owed, has in a run and was paid; runs for staff."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet, Sum
from django.utils import timezone

from aptic.vouchers.models import Order, RedemptionLine, VoucherStatus

from .models import BankDetails, BankDetailsStatus, Payout, PayoutLine, PayoutRun, PayoutStatus, RunStatus
from .services import month_bounds

IN_PROGRESS_RUNS = [RunStatus.PREPARING, RunStatus.DRAFT, RunStatus.APPROVED, RunStatus.EXPORTING]


@dataclass
class Balance:
    owed_count: int
    owed_cents: int
    in_run_count: int
    in_run_cents: int
    sent_cents: int  # transferred, not yet confirmed paid
    paid_cents: int


def _sum(queryset, field="amount_cents") -> tuple[int, int]:
    row = queryset.aggregate(n=Count("pk"), total=Sum(field))
    return row["n"] or 0, row["total"] or 0


def provider_balance(organisation) -> Balance:
    in_payout = PayoutLine.objects.filter(voucher_id=OuterRef("voucher_id"), is_void=False)
    owed = RedemptionLine.objects.filter(
        redemption__provider=organisation, is_cancelled=False, voucher__status=VoucherStatus.REDEEMED
    ).exclude(Exists(in_payout))
    in_run = PayoutLine.objects.filter(
        payout__provider=organisation, payout__status=PayoutStatus.PLANNED, is_void=False
    )
    sent = Payout.objects.filter(provider=organisation, status=PayoutStatus.SENT)
    owed_n, owed_total = _sum(owed)
    run_n, run_total = _sum(in_run)
    return Balance(
        owed_count=owed_n,
        owed_cents=owed_total,
        in_run_count=run_n,
        in_run_cents=run_total,
        sent_cents=_sum(sent.exclude(run__status=RunStatus.PAID), "net_cents")[1],
        paid_cents=_sum(sent.filter(run__status=RunStatus.PAID), "net_cents")[1],
    )


@dataclass(frozen=True)
class NextPayout:
    """When the provider's next transfer leaves (ADR 0041): `day` None while a run holding its
    vouchers waits for staff's approval (the day is set when it is sent to the bank)."""

    day: datetime.date | None
    note: str


def next_payout(organisation, today: datetime.date | None = None) -> NextPayout:
    """The transfer sent to the bank and not confirmed yet, else the one in preparation, else the
    next monthly run (prepared on the 1st for the vouchers redeemed the month before)."""
    payouts = Payout.objects.filter(provider=organisation).select_related("run")
    sent = payouts.filter(status=PayoutStatus.SENT).exclude(run__status=RunStatus.PAID)
    sent = sent.order_by("run__execution_date", "pk").first()
    if sent is not None:
        return NextPayout(sent.run.execution_date, f"Virement {sent.reference} transmis à la banque.")
    planned = payouts.filter(status=PayoutStatus.PLANNED, run__status__in=IN_PROGRESS_RUNS).order_by("run_id").first()
    if planned is not None:
        return NextPayout(
            planned.run.execution_date,
            f"Virement {planned.reference} en préparation : il part à la banque après l'approbation de "
            "l'équipe #APTIC.",
        )
    today = today or timezone.localdate()
    return NextPayout(
        month_bounds(today)[1] + datetime.timedelta(days=1),
        "Le virement mensuel se prépare le 1er du mois pour les chèques encaissés le mois précédent, puis "
        "part à la banque après l'approbation de l'équipe #APTIC.",
    )


def payouts_of(organisation) -> QuerySet[Payout]:
    """The provider's payouts, newest first; cancelled ones (emptied by another run) are noise."""
    return (
        Payout.objects.filter(provider=organisation)
        .exclude(status=PayoutStatus.CANCELLED)
        .select_related("run")
        .order_by("-run__created_at", "-pk")
    )


def current_bank_details(organisation) -> BankDetails | None:
    return BankDetails.objects.filter(provider=organisation, is_current=True).select_related("reviewed_by").first()


def bank_history(organisation) -> QuerySet[BankDetails]:
    return BankDetails.objects.filter(provider=organisation).select_related("submitted_by", "reviewed_by")


def bank_details_to_review() -> QuerySet[BankDetails]:
    return (
        BankDetails.objects.filter(status=BankDetailsStatus.PENDING, is_current=True)
        .select_related("provider", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def bank_details_reviewed(limit: int = 30) -> QuerySet[BankDetails]:
    return (
        BankDetails.objects.exclude(status=BankDetailsStatus.PENDING)
        .select_related("provider", "reviewed_by")
        .order_by("-reviewed_at", "-pk")[:limit]
    )


def runs() -> QuerySet[PayoutRun]:
    return PayoutRun.objects.select_related("prepared_by", "approved_by", "job").order_by("-created_at", "-pk")


def runs_to_approve() -> QuerySet[PayoutRun]:
    """Runs prepared and waiting for a second member of staff to approve them."""
    return runs().filter(status=RunStatus.DRAFT)


def run_totals(run: PayoutRun) -> dict:
    rows = run.payouts.values("status").annotate(
        n=Count("pk"), vouchers=Sum("voucher_count"), gross=Sum("gross_cents"), net=Sum("net_cents")
    )
    return {row["status"]: row for row in rows.order_by()}


def run_payouts(run: PayoutRun) -> QuerySet[Payout]:
    return run.payouts.select_related("provider").order_by("status", "provider__name", "pk")


def _statement_lines(payout: Payout) -> QuerySet[PayoutLine]:
    return PayoutLine.objects.filter(payout=payout).filter(
        is_void=payout.status in (PayoutStatus.REJECTED, PayoutStatus.CANCELLED)
    )


def statement_span(payout: Payout) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """When the payout's first and last vouchers were used (None, None: no voucher)."""
    span = _statement_lines(payout).aggregate(
        first=Min("voucher__redemption__created_at"), last=Max("voucher__redemption__created_at")
    )
    return span["first"], span["last"]


def statement_rows(payout: Payout):
    """Every voucher of the payout: serial (year-order-rank), date, place, service, amount."""
    lines = (
        _statement_lines(payout)
        .order_by("voucher__redemption__created_at", "voucher_id")
        .values_list(
            "voucher__order_id",
            "voucher__order__valid_from",
            "voucher__sequence",
            "voucher__redemption__created_at",
            "place_name",
            "service_title",
            "amount_cents",
        )
    )
    for order_id, valid_from, sequence, at, place, service, amount in lines.iterator(chunk_size=5000):
        yield Order(pk=order_id, valid_from=valid_from).serial(sequence), at, place, service, amount
