"""When a service says something happened (ADR 0037): now, or the moment given, never to come."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from aptic.core import clock
from aptic.core.errors import DomainError


def test_a_moment_is_now_by_default_the_given_one_otherwise_never_to_come():
    before = timezone.now()
    assert before <= clock.moment(None) <= timezone.now()
    past = before - datetime.timedelta(days=40)
    assert clock.moment(past) == past
    with pytest.raises(DomainError, match="ne peut pas être dans le futur"):
        clock.moment(timezone.now() + datetime.timedelta(minutes=5))


def test_a_record_of_a_past_day_is_dated_noon_of_that_day_and_of_today_now():
    day = timezone.localdate() - datetime.timedelta(days=3)
    assert timezone.localtime(clock.moment_of(day)) == timezone.make_aware(datetime.datetime.combine(day, clock.NOON))
    before = timezone.now()
    assert before <= clock.moment_of(timezone.localdate()) <= timezone.now()
    assert before <= clock.moment_of(None) <= timezone.now()


@pytest.mark.parametrize(
    "utc",
    [
        datetime.datetime(2026, 12, 6, 22, 59, tzinfo=datetime.UTC),  # 23:59 in Paris
        datetime.datetime(2026, 12, 6, 23, 0, tzinfo=datetime.UTC),  # midnight: the 7th
        datetime.datetime(2026, 3, 28, 23, 30, tzinfo=datetime.UTC),  # the night summer time starts
        datetime.datetime(2026, 10, 24, 22, 30, tzinfo=datetime.UTC),  # the night it ends
    ],
)
def test_the_day_of_a_moment_is_the_local_day(utc):
    assert clock.day_of(utc) == timezone.localdate(utc)
    assert clock.day_of(utc) == utc.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).date()


def test_activating_another_time_zone_fails_in_every_test():
    """clock.day_of reads the default zone, not the active one: right only while nothing activates
    another. The root conftest makes any activation fail (core/tests/guards.py), however it is
    spelled: a template's {% timezone %} tag and an aliased override included."""
    from django.template import Context, Template
    from django.utils.timezone import override as zone

    with pytest.raises(AssertionError, match="one time zone"):
        timezone.activate("UTC")
    with pytest.raises(AssertionError, match="one time zone"), zone("Pacific/Kiritimati"):
        pass
    with pytest.raises(AssertionError, match="one time zone"):
        Template("{% load tz %}{% timezone 'UTC' %}x{% endtimezone %}").render(Context())
    timezone.deactivate()
    assert timezone.get_current_timezone() == timezone.get_default_timezone()
