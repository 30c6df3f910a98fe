"""When a service says something happened (ADR 0037): now, or the moment given, never to come."""

import datetime

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
