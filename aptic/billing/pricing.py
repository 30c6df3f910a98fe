"""The one pricing function of quotes and invoices (ADR 0014, after ADR 0002).

Per voucher the funder pays the face value (outside the scope of VAT: a voucher is a means of
payment) plus a 4 % fee excl. VAT; options are priced per quote excl. VAT; VAT at 20 % applies to
the fee and to each option. Every line is rounded on its own, to the cent, ROUND_HALF_UP; totals
are sums of rounded lines. The territorial fund (1 % of the face value) is taken out of the fee:
the fund's share is rounded, the platform keeps the remainder, so the two add up to the fee.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import FEE_RATE, FUND_RATE, VAT_RATE


def apply_rate(cents: int, rate: Decimal) -> int:
    """cents × rate, to the cent, half up."""
    return int((Decimal(cents) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class OptionPrice:
    label: str
    amount_cents: int
    vat_cents: int


@dataclass(frozen=True)
class Pricing:
    quantity: int
    face_value_cents: int
    face_total_cents: int
    fee_rate: Decimal
    fee_cents: int
    fee_vat_cents: int
    options: tuple[OptionPrice, ...]
    options_cents: int
    options_vat_cents: int
    vat_rate: Decimal
    vat_cents: int
    total_excl_vat_cents: int  # face value + fee + options
    total_cents: int  # the above + VAT
    fund_cents: int  # out of the fee
    platform_fee_cents: int  # fee − fund

    @property
    def taxable_cents(self) -> int:
        return self.fee_cents + self.options_cents


def price(
    *,
    quantity: int,
    face_value_cents: int,
    options: tuple[tuple[str, int], ...] | list[tuple[str, int]] = (),
    fee_rate: Decimal = FEE_RATE,
    vat_rate: Decimal = VAT_RATE,
    fund_rate: Decimal = FUND_RATE,
) -> Pricing:
    """options: (label, amount excl. VAT in cents) for each option sold."""
    if quantity < 0 or face_value_cents < 0 or any(amount < 0 for _, amount in options):
        raise ValueError("quantities and amounts are never negative")
    face_total = quantity * face_value_cents
    fee = apply_rate(face_total, Decimal(fee_rate))
    fee_vat = apply_rate(fee, Decimal(vat_rate))
    priced = tuple(OptionPrice(label, amount, apply_rate(amount, Decimal(vat_rate))) for label, amount in options)
    options_total = sum(o.amount_cents for o in priced)
    options_vat = sum(o.vat_cents for o in priced)
    fund = min(apply_rate(face_total, Decimal(fund_rate)), fee)
    excl = face_total + fee + options_total
    return Pricing(
        quantity=quantity,
        face_value_cents=face_value_cents,
        face_total_cents=face_total,
        fee_rate=Decimal(fee_rate),
        fee_cents=fee,
        fee_vat_cents=fee_vat,
        options=priced,
        options_cents=options_total,
        options_vat_cents=options_vat,
        vat_rate=Decimal(vat_rate),
        vat_cents=fee_vat + options_vat,
        total_excl_vat_cents=excl,
        total_cents=excl + fee_vat + options_vat,
        fund_cents=fund,
        platform_fee_cents=fee - fund,
    )


def fund_share(face_total_cents: int, fund_rate: Decimal = FUND_RATE) -> int:
    """The territorial fund's share of a paid order (the same rounding as price())."""
    return apply_rate(face_total_cents, fund_rate)
