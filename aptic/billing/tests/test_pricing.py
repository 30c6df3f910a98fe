"""The one pricing function, against examples worked by hand (ADR 0002 and ADR 0014)."""

from decimal import Decimal

import pytest

from aptic.billing.pricing import apply_rate, fund_share, price


def test_adr_0002_worked_example():
    # 1,001 vouchers at 7,50 €: face 7 507,50 €; fee 4 % = 300,30 €; VAT 20 % of the fee = 60,06 €;
    # fund 1 % of the face value = 75,075 € → 75,08 € (half up); the platform keeps 300,30 − 75,08 = 225,22 €.
    p = price(quantity=1001, face_value_cents=750)
    assert p.face_total_cents == 750_750
    assert p.fee_cents == 30_030
    assert p.fee_vat_cents == p.vat_cents == 6_006
    assert p.fund_cents == 7_508
    assert p.platform_fee_cents == 22_522
    assert p.total_excl_vat_cents == 780_780
    assert p.total_cents == 786_786


def test_plus_offer_with_options():
    # 2,000 × 10 € = 20 000 €; fee 800 € (VAT 160 €); network delivery 350 € HT (VAT 70 €),
    # distribution by the platform 1 234,55 € HT (VAT 246,91 €): VAT 476,91 €; total 22 861,46 €.
    p = price(quantity=2000, face_value_cents=1000, options=[("Livraison", 35_000), ("Distribution", 123_455)])
    assert (p.face_total_cents, p.fee_cents, p.options_cents) == (2_000_000, 80_000, 158_455)
    assert [o.vat_cents for o in p.options] == [7_000, 24_691]
    assert p.vat_cents == 16_000 + 7_000 + 24_691
    assert p.total_cents == 2_000_000 + 80_000 + 158_455 + 47_691 == 2_286_146
    assert (p.fund_cents, p.platform_fee_cents) == (20_000, 60_000)


def test_each_line_is_rounded_half_up_on_its_own():
    # 1,003 × 10,01 € = 10 040,03 €: fee 401,6012 → 401,60 €; its VAT 80,32 €; fund 100,4003 → 100,40 €.
    p = price(quantity=1003, face_value_cents=1001)
    assert (p.face_total_cents, p.fee_cents, p.fee_vat_cents, p.fund_cents) == (1_004_003, 40_160, 8_032, 10_040)
    # An option of 0,03 € has 0,006 € of VAT → 0,01 €; two such options: 0,02 € (not 0,012 → 0,01 €).
    p = price(quantity=0, face_value_cents=1000, options=[("a", 3), ("b", 3)])
    assert p.vat_cents == 2


@pytest.mark.parametrize(
    ("cents", "rate", "expected"),
    [(50, Decimal("0.01"), 1), (49, Decimal("0.01"), 0), (150, Decimal("0.01"), 2), (250, Decimal("0.01"), 3)],
)
def test_half_up_not_half_even(cents, rate, expected):
    assert apply_rate(cents, rate) == expected


def test_fund_and_platform_add_up_to_the_fee():
    for quantity, face in [(1000, 1000), (1001, 750), (2005, 999), (7, 333)]:
        p = price(quantity=quantity, face_value_cents=face)
        assert p.fund_cents + p.platform_fee_cents == p.fee_cents
        assert p.fund_cents == fund_share(p.face_total_cents)


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        price(quantity=10, face_value_cents=1000, options=[("x", -5)])
