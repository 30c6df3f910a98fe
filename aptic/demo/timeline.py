"""The demo's calendar: every date a builder writes follows from the one before.

Built relative to the day the demo is built (`today`), so a fresh `make run` reads naturally on any
day (ADR 0024). The current campaign's vouchers are valid for twelve months ending with the month
after `today` (built on 6 December 2026: the calendar year 2026, tolerated until 31 January 2027),
last campaign's for the twelve months before it; then, in order:

    the platform opens (its team, the funders, the distributors) → providers ask, answer the
    questionnaire, are qualified, sign the charter, subscribe, all before the year of use
    last campaign: ordered, invoiced, paid, printed, shipped; handed out in its last autumn
    → used from the day after its first handouts to its grace date
    → expired → expiry credit note
    current campaign: CCAS and company invoiced, company paid, CCAS printed early → company printed
    → Gironde invoiced after the credit note (deducted from it), paid, printed → shipments → handouts
    until ten days ago, each booklet used only after its handout → each month's payout run prepared,
    approved and paid in the first days of the next month; last month's waits for its second signature.

Nothing is dated after the build moment (`now`, ADR 0037).
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


def build_moment(today: datetime.date) -> datetime.datetime:
    """When the demo is deemed built: the end of a working day on `today`, or now when `today` is the
    real day and that is to come. No row of the demo is dated after it (ADR 0037)."""
    from django.utils import timezone

    now = timezone.now().astimezone(PARIS)
    return min(at(today, 19, 30), now) if today == now.date() else at(today, 19, 30)


@dataclass(frozen=True)
class DemoCalendar:
    today: datetime.date
    # The build moment (see build_moment); None: computed from `today`.
    now: datetime.datetime | None = None

    def __post_init__(self):
        if self.now is None:
            object.__setattr__(self, "now", build_moment(self.today))

    def moment(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        """A moment of `day`, never after the build moment (the build day's visits happened before it)."""
        return min(at(day, hour, minute), self.now)

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

    # Before the campaigns: the platform opens, the providers join.
    @property
    def platform_opened(self) -> datetime.datetime:
        """The team, the funders and the distributors registered: a quarter before the first campaign."""
        return at(self._day(add_months(self.last_campaign_start, -3), 0), 9)

    @property
    def providers_join(self) -> tuple[datetime.date, datetime.date]:
        """The days providers ask to be eligible: from a fortnight after the opening to far enough
        before the first handouts (the first uses) for each to be qualified, subscribed and paid by
        bank transfer."""
        last = min(self.uses_start, self.last_handouts[0]) - datetime.timedelta(days=75)
        return self.platform_opened.date() + datetime.timedelta(days=14), last

    @property
    def uses_start(self) -> datetime.date:
        """The year of use: the twelve months up to today (ADR 0037)."""
        return add_months(self.today, -12) + datetime.timedelta(days=1)

    # Orders made the morning of the day they are issued.
    @property
    def last_ordered_at(self) -> datetime.datetime:
        return at(self.last_issued_at.date(), 9)

    @property
    def ordered_at(self) -> datetime.datetime:
        return at(self.issued_at.date(), 9)

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
    def last_shipped_on(self) -> datetime.date:
        return self.shipped_on(self.last_paid_on)

    @property
    def last_handouts(self) -> tuple[datetime.date, datetime.date]:
        """Last campaign's booklets given out in its last autumn, used until its grace date."""
        start = max(self.last_shipped_on + datetime.timedelta(days=3), self.uses_start - datetime.timedelta(days=75))
        return start, self.last_campaign_end - datetime.timedelta(days=7)

    @property
    def handouts_end(self) -> datetime.date:
        """This campaign's booklets are given out until ten days ago."""
        return self.today - datetime.timedelta(days=10)

    @property
    def stolen_at(self) -> datetime.datetime:
        """Booklets stolen from the Gironde's stock, before anything was shipped."""
        return at(self.gironde_paid_on, 15)

    def shipped_on(self, released_on: datetime.date) -> datetime.date:
        """Printed and posted about a week after the release."""
        return self._day(released_on, 7)

    # Payouts: month `month` (its first day) is prepared on the 3rd working day after its end,
    # approved and exported the next day, paid two days later.
    def run_prepared(self, month: datetime.date) -> datetime.datetime:
        """Last month's, when today comes before its 3rd working day: prepared this morning."""
        return min(at(self._day(month_end(month), 3), 9), self.moment(self.today, 9))

    def run_approved(self, month: datetime.date) -> datetime.datetime:
        return at(self._day(self.run_prepared(month).date(), 1), 10)

    def run_paid(self, month: datetime.date) -> datetime.datetime:
        return at(self._day(self.run_approved(month).date(), 2), 11)
