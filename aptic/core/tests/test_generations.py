"""The two-level cache of the hot paths (core/generations.py): a move is seen at once in its own
process, within LOCAL_SECONDS in the others; the process's memory stays bounded and expires."""

import pytest
from django.core.cache import cache

from aptic.core import generations
from aptic.core.generations import Generation


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(generations.time, "monotonic", clock)
    return clock


def test_a_move_in_this_process_is_seen_at_once(clock):
    family = Generation("test:family")
    key, value = family.get(7)
    assert value is None
    family.set(key, "ancien", 60)
    assert family.get(7)[1] == "ancien"
    family.move()
    assert family.get(7)[1] is None


def test_a_move_in_another_process_is_seen_within_local_seconds(clock):
    family = Generation("test:family")
    key, _ = family.get(7)
    family.set(key, "ancien", 60)
    cache.incr("test:family:generation")  # what another process's move does to the shared cache
    assert family.get(7)[1] == "ancien"  # this process still trusts the generation it read
    clock.now += generations.LOCAL_SECONDS
    assert family.get(7)[1] is None


def test_an_entry_read_from_the_shared_cache_is_kept_briefly(clock):
    family = Generation("test:family")
    key, _ = family.get(7)
    cache.set(key, "partagé", 60)  # written by another process
    assert family.get(7)[1] == "partagé"
    cache.delete(key)
    assert family.get(7)[1] == "partagé"
    clock.now += generations.LOCAL_SECONDS
    assert family.get(7)[1] is None


def test_local_entries_expire_with_their_timeout_and_stay_bounded(clock, monkeypatch):
    generations.local_set("a", 1, 10)
    clock.now += 10.5
    assert generations.local_get("a") is None
    monkeypatch.setattr(generations, "LOCAL_ENTRIES", 3)
    for n in range(5):
        generations.local_set(f"k{n}", n, 60)
    assert [generations.local_get(f"k{n}") for n in range(5)] == [None, None, 2, 3, 4]
