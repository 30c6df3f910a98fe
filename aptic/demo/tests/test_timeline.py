"""The demo's calendar on any build day: every step after the one before, none after the build day
nor, on the build day, after the build moment."""

import datetime

import pytest

from aptic.demo.timeline import PARIS, DemoCalendar, add_months, at, month_end, working_day
from aptic.vouchers.issuance import default_validity

DAYS = [datetime.date(2026, 1, 1) + datetime.timedelta(days=n) for n in range(0, 731, 3)]


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_every_step_follows_the_one_before(today):
    c = DemoCalendar(today)
    chain = [
        c.platform_opened.date(),
        c.last_campaign_start,
        c.last_ordered_at.date(),
        c.last_issued_at.date(),
        c.last_invoiced_on,
        c.last_paid_on,
        c.last_shipped_on,
        c.last_handouts[0],
        c.last_campaign_end,
        c.campaign_start,
        c.ordered_at.date(),
        c.issued_at.date(),
        c.invoiced_on,
        c.last_campaign_grace,
        c.expiry_day,
        c.expiry_credited_on,
        c.gironde_invoiced_on,
        c.gironde_paid_on,
        c.stolen_at.date(),
        c.shipped_on(c.gironde_paid_on),
        c.correction_on,
        c.handouts_end,
        today,
        c.campaign_end,
        c.campaign_grace,
    ]
    assert chain == sorted(chain)
    assert c.paid_on >= c.invoiced_on and c.shipped_on(c.paid_on) < c.handouts_end
    # The year of use: twelve months up to today, the last campaign's grace date within it.
    assert add_months(c.uses_start, 12) == today + datetime.timedelta(days=1) or c.uses_start.day != today.day
    assert c.uses_start <= c.last_campaign_grace < today
    assert c.last_handouts[0] < min(c.last_handouts[1], c.uses_start) and c.last_handouts[1] < c.last_campaign_end
    # Providers join after the opening and are qualified, subscribed and paid before the year of use.
    first, last = c.providers_join
    assert c.platform_opened.date() < first < last < c.uses_start - datetime.timedelta(days=60)
    # … and before last campaign's first handouts, its first uses coming the days after.
    assert last < c.last_handouts[0] - datetime.timedelta(days=60)
    assert c.campaign_end == add_months(c.campaign_start, 12) - datetime.timedelta(days=1)
    # Each month of redemptions: paid in the first days of the next, before the next run starts.
    month = c.uses_start.replace(day=1)
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


def test_no_moment_of_the_build_day_comes_after_the_build_moment():
    today = datetime.date(2026, 12, 7)
    built = datetime.datetime(2026, 12, 7, 8, 15, tzinfo=PARIS)
    c = DemoCalendar(today, now=built)
    assert c.moment(today, 17) == built and c.moment(today, 8) < built
    assert c.run_prepared(add_months(today.replace(day=1), -1)) <= built
    assert DemoCalendar(datetime.date(2026, 1, 5)).now == at(datetime.date(2026, 1, 5), 19, 30)
