"""French public holidays, from the calendar the opening hours' "PH off" reads."""

import datetime

import pytest

from aptic.places.hours import is_public_holiday

pytestmark = pytest.mark.django_db  # the app's fixtures load reference data


def test_the_eleven_french_public_holidays_of_2026_movable_ones_included():
    days = [datetime.date(2026, 1, 1) + datetime.timedelta(days=n) for n in range(365)]
    assert [day.strftime("%d/%m") for day in days if is_public_holiday(day)] == [
        "01/01", "06/04", "01/05", "08/05", "14/05", "25/05", "14/07", "15/08", "01/11", "11/11", "25/12",
    ]  # fmt: skip
