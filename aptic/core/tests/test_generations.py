"""The two-level cache of the hot paths (core/generations.py): a move is seen at once in its own
process, within LOCAL_SECONDS in the others; the process's memory stays bounded and expires."""

from collections import OrderedDict
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.test import override_settings

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


class Process:
    """One of the site's processes without a shared cache: its own memory cache (a LocMem store
    of its own name, as each gunicorn worker has) and its own local memory of generations.py."""

    def __init__(self, name):
        self.caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}}
        self.values, self.generations = OrderedDict(), {}
        with self.running():
            cache.clear()

    @contextmanager
    def running(self):
        saved = generations._values, generations._generations
        generations._values, generations._generations = self.values, self.generations
        try:
            with override_settings(CACHES=self.caches, APTIC_SINGLE_PROCESS=False):
                yield
        finally:
            generations._values, generations._generations = saved


def test_without_a_shared_cache_another_process_sees_a_move_within_local_seconds(clock, monkeypatch):
    """ADR 0027's bound holds without Redis too: each process's entries live LOCAL_SECONDS at most."""
    monkeypatch.setattr(generations.time, "time", clock)  # the memory cache's own clock
    family = Generation("test:family")
    a, b = Process("process-a"), Process("process-b")
    with b.running():
        key, _ = family.get(7)
        family.set(key, "ancien", 300)
        assert family.get(7)[1] == "ancien"
    with a.running():
        family.move()  # seen by process A only: B's memory cache is its own
    with b.running():
        assert family.get(7)[1] == "ancien"
        clock.now += generations.LOCAL_SECONDS
        assert family.get(7)[1] is None


def test_without_a_shared_cache_a_shared_only_family_is_not_cached(clock):
    family = Generation("test:tokens", shared_only=True)
    with Process("process-a").running():
        key, _ = family.get(7)
        family.set(key, "jeton", 300)
        assert family.get(7)[1] is None
    key, _ = family.get(7)  # the suite's own cache, declared the whole cache (one process)
    family.set(key, "jeton", 300)
    assert family.get(7)[1] == "jeton"


def test_the_dummy_cache_is_never_shared(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert generations.cache_is_shared() is False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert generations.cache_is_shared() is True
