"""The TARGET2 calendar, on which euro transfers settle: every weekday but 1 January, Good Friday,
Easter Monday, 1 May, 25 and 26 December (ECB). A SEPA file asks for execution on such a day; a bank
refuses, or silently shifts, a Sunday."""

import datetime

from dateutil.easter import easter


def is_closing_day(day: datetime.date) -> bool:
    if day.weekday() >= 5 or (day.month, day.day) in ((1, 1), (5, 1), (12, 25), (12, 26)):
        return True
    sunday = easter(day.year)
    return day in (sunday - datetime.timedelta(days=2), sunday + datetime.timedelta(days=1))


def next_business_day(day: datetime.date) -> datetime.date:
    """The day itself when TARGET2 is open, else the next day it is."""
    while is_closing_day(day):
        day += datetime.timedelta(days=1)
    return day
