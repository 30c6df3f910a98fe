"""The demo's calendar: every date a builder writes follows from the one before.

Built relative to the day the demo is built (`today`), so a fresh `make run` reads naturally on any
day (ADR 0024). The current campaign's vouchers are valid for twelve months ending with the month
after `today` (built on 6 December 2026: the calendar year 2026, tolerated until 31 January 2027),
last campaign's for the twelve months before it; then, in order:

    last campaign: invoiced, paid → expired at the end of its grace month → expiry credit note
    current campaign: CCAS and company invoiced, company paid, CCAS printed early → company printed
    → Gironde invoiced after the credit note (deducted from it), paid, printed → shipments → handouts
    → six months of redemptions up to today → each month's payout run prepared, approved and paid
    in the first days of the next month; last month's waits for its second signature.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), on the month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = datetime.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return min(day.replace(year=year, month=month + 1, day=1) + datetime.timedelta(days=day.day - 1),
               following - datetime.timedelta(days=1))  # fmt: skip


def month_end(day: datetime.date) -> datetime.date:
    return add_months(day.replace(day=1), 1) - datetime.timedelta(days=1)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of a working day, in Paris."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def working_day(day: datetime.date) -> datetime.date:
    """`day`, or the Monday after when it falls on a weekend."""
    return day + datetime.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


@dataclass(frozen=True)
class DemoCalendar:
    today: datetime.date

    # The campaigns' validity: twelve months each, the current one ending with the month after today.
    @property
    def campaign_start(self) -> datetime.date:
        return add_months(self.today.replace(day=1), -11)

    @property
    def campaign_end(self) -> datetime.date:
        return add_months(self.campaign_start, 12) - datetime.timedelta(days=1)

    @property
    def campaign_grace(self) -> datetime.date:
        return month_end(add_months(self.campaign_end, 1))

    @property
    def last_campaign_start(self) -> datetime.date:
        return add_months(self.campaign_start, -12)

    @property
    def last_campaign_end(self) -> datetime.date:
        return self.campaign_start - datetime.timedelta(days=1)

    @property
    def last_campaign_grace(self) -> datetime.date:
        return month_end(add_months(self.last_campaign_end, 1))

    def _day(self, start: datetime.date, days: int) -> datetime.date:
        return working_day(start + datetime.timedelta(days=days))

    # Orders issued (their vouchers created) a few days before their invoice.
    @property
    def last_issued_at(self) -> datetime.datetime:
        return at(self._day(self.last_campaign_start, 2), 11)

    @property
    def issued_at(self) -> datetime.datetime:
        return at(self._day(self.campaign_start, 4), 11)

    # Last campaign's billing.
    @property
    def last_invoiced_on(self) -> datetime.date:
        return self._day(self.last_campaign_start, 4)

    @property
    def last_paid_on(self) -> datetime.date:
        return self._day(self.last_invoiced_on, 28)

    # Its expiry, the day after its grace date, and the credit note the day after.
    @property
    def expiry_day(self) -> datetime.date:
        return self.last_campaign_grace + datetime.timedelta(days=1)

    @property
    def expiry_credited_on(self) -> datetime.date:
        return self._day(self.expiry_day, 1)

    # This campaign: the CCAS and the company first, the Gironde after its credit note.
    @property
    def invoiced_on(self) -> datetime.date:
        return self._day(self.campaign_start, 9)

    @property
    def paid_on(self) -> datetime.date:
        return self._day(self.invoiced_on, 20)

    @property
    def gironde_invoiced_on(self) -> datetime.date:
        return self._day(self.expiry_credited_on, 3)

    @property
    def gironde_paid_on(self) -> datetime.date:
        return self._day(self.gironde_invoiced_on, 20)

    @property
    def correction_on(self) -> datetime.date:
        """The company's commercial gesture, after its booklets came late."""
        return self._day(self.gironde_paid_on, 10)

    @property
    def redemptions_start(self) -> datetime.date:
        """Six months of visits up to today; every booklet used was handed out before."""
        return self.today - datetime.timedelta(days=182)

    def shipped_on(self, released_on: datetime.date) -> datetime.date:
        """Printed and posted about a week after the release."""
        return self._day(released_on, 7)

    # Payouts: month `month` (its first day) is prepared on the 3rd working day after its end,
    # approved and exported the next day, paid two days later.
    def run_prepared(self, month: datetime.date) -> datetime.datetime:
        """Last month's, when today comes before its 3rd working day: prepared this morning."""
        return min(at(self._day(month_end(month), 3), 9), at(self.today, 9))

    def run_approved(self, month: datetime.date) -> datetime.datetime:
        return at(self._day(self.run_prepared(month).date(), 1), 10)

    def run_paid(self, month: datetime.date) -> datetime.datetime:
        return at(self._day(self.run_approved(month).date(), 2), 11)
