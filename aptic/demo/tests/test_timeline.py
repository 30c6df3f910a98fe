"""The demo's calendar on any build day: every step after the one before, none after the build day."""

import datetime

import pytest

from aptic.demo.timeline import DemoCalendar, add_months, month_end, working_day
from aptic.vouchers.issuance import default_validity

DAYS = [datetime.date(2026, 1, 1) + datetime.timedelta(days=n) for n in range(0, 731, 3)]


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_every_step_follows_the_one_before(today):
    c = DemoCalendar(today)
    chain = [
        c.last_campaign_start,
        c.last_issued_at.date(),
        c.last_invoiced_on,
        c.last_paid_on,
        c.last_campaign_end,
        c.campaign_start,
        c.issued_at.date(),
        c.invoiced_on,
        c.last_campaign_grace,
        c.expiry_day,
        c.expiry_credited_on,
        c.gironde_invoiced_on,
        c.gironde_paid_on,
        c.shipped_on(c.gironde_paid_on),
        c.correction_on,
        c.redemptions_start,
        today,
        c.campaign_end,
        c.campaign_grace,
    ]
    assert chain == sorted(chain)
    assert c.paid_on >= c.invoiced_on and c.shipped_on(c.paid_on) < c.redemptions_start
    assert c.campaign_end == add_months(c.campaign_start, 12) - datetime.timedelta(days=1)
    # Each month of redemptions: paid in the first days of the next, before the next run starts.
    month = c.redemptions_start.replace(day=1)
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    while month < last:
        following = add_months(month, 1)
        assert month_end(month) < c.run_prepared(month).date() <= c.run_approved(month).date()
        assert c.run_approved(month) < c.run_paid(month) < c.run_prepared(following)
        assert c.run_paid(month).date() <= today and c.run_paid(month).weekday() < 5
        month = following
    assert c.run_prepared(last).date() <= today


def test_built_in_december_the_campaign_is_the_calendar_year_as_the_product_default():
    c = DemoCalendar(datetime.date(2026, 12, 6))
    assert (c.campaign_start, c.campaign_end, c.campaign_grace) == (
        datetime.date(2026, 1, 1),
        *default_validity(datetime.date(2026, 1, 1)),
    )


def test_weekends_move_to_monday():
    assert working_day(datetime.date(2026, 12, 5)) == datetime.date(2026, 12, 7)
    assert working_day(datetime.date(2026, 12, 6)) == datetime.date(2026, 12, 7)
    assert working_day(datetime.date(2026, 12, 7)) == datetime.date(2026, 12, 7)
