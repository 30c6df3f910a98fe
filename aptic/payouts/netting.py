"""Subscription fees netted from payouts (ADR 0016).

A provider that chose "déduit des remboursements" pays each subscription period, VAT included (the
platform invoices 7 € or 77 € excl. VAT plus 20 % VAT), out of the first payout whose run reaches the
period's start. Periods follow one another from the end of the free month (or of the last period
paid by transfer or netted); a payout never nets more than it carries, and never all of it: a
transfer of 0 € is not a transfer.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max

from aptic.providers.dates import add_months
from aptic.providers.models import PaymentMethod, Subscription, SubscriptionPlan

from .models import NettedFee

VAT_RATE = Decimal("0.20")
MAX_PERIODS = 24  # a provider years behind is settled by staff, not by one payout


@dataclass(frozen=True)
class Period:
    subscription: Subscription
    start: datetime.date
    end: datetime.date
    fee_cents: int
    vat_cents: int

    @property
    def total_cents(self) -> int:
        return self.fee_cents + self.vat_cents


def vat_on(fee_cents: int) -> int:
    return int((Decimal(fee_cents) * VAT_RATE).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def netting_subscriptions(provider_ids) -> dict[int, Subscription]:
    """The provider organisations (by id) whose subscription is netted from their payouts."""
    return {
        s.provider_id: s
        for s in Subscription.objects.filter(provider_id__in=list(provider_ids), payment_method=PaymentMethod.NETTING)
    }


def periods_due(subscription: Subscription, *, until: datetime.date, available_cents: int) -> list[Period]:
    """The periods starting on or before `until` not yet paid, as many as `available_cents` leaves
    at least one cent to transfer."""
    netted_until = NettedFee.objects.filter(subscription=subscription, is_void=False).aggregate(end=Max("period_end"))[
        "end"
    ]
    paid_until = max(d for d in (subscription.trial_until, subscription.covered_until, netted_until) if d is not None)
    months = 12 if subscription.plan == SubscriptionPlan.YEARLY else 1
    fee = subscription.price_cents
    vat = vat_on(fee)
    periods, start, left = [], paid_until + datetime.timedelta(days=1), available_cents
    while start <= until and len(periods) < MAX_PERIODS:
        if subscription.cancelled_on is not None and start >= subscription.cancelled_on:
            break
        if fee + vat >= left:
            break
        end = add_months(start, months) - datetime.timedelta(days=1)
        periods.append(Period(subscription, start, end, fee, vat))
        left -= fee + vat
        start = end + datetime.timedelta(days=1)
    return periods
