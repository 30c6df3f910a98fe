"""Cache entries filed under a generation number, for reads the hot paths repeat (the counter,
the API's tokens) and that must not outlive a committed change.

Every write that can change the answer moves the generation, now and again at commit (signals):
a reader that loaded the old rows in between files them under a generation nobody reads any more.
Moving it forgets every entry of the family at once, so it suits data that changes rarely.

Two levels: the shared cache (Redis in production), and a small memory in each process, so a
till's request costs no network round trip once warm. A process trusts the generation it last
read for at most LOCAL_SECONDS; a move made in the same process is seen at once, one made in
another process within that delay (ADR 0027).

That holds only if the "shared" cache is shared: a process's own memory (LocMem) is not, and each
process would then keep its own generation and its entries for their whole timeout (ADR 0018).
Without a shared cache, entries live at most LOCAL_SECONDS, and a family that must never be
stale (API tokens: `shared_only`) is not cached across requests at all. Production refuses such a
cache (core/checks.py); the test suite, one process, declares its memory the whole cache
(APTIC_SINGLE_PROCESS).
"""

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

LOCAL_SECONDS = 1.0
LOCAL_ENTRIES = 20_000

_lock = threading.Lock()
_values: OrderedDict = OrderedDict()  # key → (expires at, value), least recently used first
_generations: dict[str, tuple[float, int]] = {}  # shared key → (read at, generation)


def shared_across_processes(alias: str = "default") -> bool:
    """Whether every process of the site reads this cache (Redis, Memcached, the database, files):
    neither each process's own memory nor no cache at all."""
    return not isinstance(caches[alias], (LocMemCache, DummyCache))


def cache_is_shared() -> bool:
    """Whether what one process writes in the default cache, the site's other processes read:
    a shared backend, or a process's memory when settings declare the site one process
    (APTIC_SINGLE_PROCESS; the dummy cache keeps nothing, so not even then)."""
    if shared_across_processes():
        return True
    return getattr(settings, "APTIC_SINGLE_PROCESS", False) and not isinstance(caches["default"], DummyCache)


def local_clear() -> None:
    """Forget this process's memory (the tests, between two tests, with the shared cache)."""
    with _lock:
        _values.clear()
        _generations.clear()


def local_get(key: str):
    with _lock:
        entry = _values.get(key)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            del _values[key]
            return None
        _values.move_to_end(key)
        return entry[1]


def local_set(key: str, value, timeout: float) -> None:
    with _lock:
        _values[key] = (time.monotonic() + timeout, value)
        _values.move_to_end(key)
        while len(_values) > LOCAL_ENTRIES:
            _values.popitem(last=False)


class Generation:
    def __init__(self, family: str, *, shared_only: bool = False):
        """`shared_only`: entries that must never outlive a change made in another process (API
        tokens) are cached only in a shared cache; without one, every request reads the database."""
        self.family = family
        self.shared_only = shared_only
        self._key = f"{family}:generation"

    def current(self) -> int:
        seen = _generations.get(self._key)
        now = time.monotonic()
        if seen is not None and now - seen[0] < LOCAL_SECONDS:
            return seen[1]
        generation = cache.get(self._key)
        if generation is None:
            cache.add(self._key, 1, None)
            generation = cache.get(self._key, 1)
        _generations[self._key] = (now, generation)
        return generation

    def key(self, *parts) -> str:
        return ":".join([self.family, str(self.current()), *map(str, parts)])

    def get(self, *parts) -> tuple[str, object]:
        """The entry's key (to `set` under, taken before any database read) and its value or None."""
        key = self.key(*parts)
        if self.shared_only and not cache_is_shared():
            return key, None
        value = local_get(key)
        if value is None:
            value = cache.get(key)
            if value is not None:
                # The shared entry's age is unknown here: kept briefly, so that no process keeps
                # it much past the timeout it was stored with.
                local_set(key, value, LOCAL_SECONDS)
        return key, value

    def set(self, key: str, value, timeout: int) -> None:
        if not cache_is_shared():
            # This process's moves are the only ones it will see: trust its entries no longer than
            # it would trust a generation read from a shared cache.
            if self.shared_only:
                return
            timeout = LOCAL_SECONDS if timeout is None else min(timeout, LOCAL_SECONDS)
        cache.set(key, value, timeout)
        local_set(key, value, timeout)

    def move(self) -> None:
        try:
            cache.incr(self._key)
        except ValueError:  # evicted: any other number than the readers' will do
            cache.set(self._key, 2, None)
        _generations.pop(self._key, None)

    def _changed(self, **kwargs) -> None:
        self.move()
        transaction.on_commit(self.move)

    def _m2m_changed(self, action, **kwargs) -> None:
        if action.startswith("post_"):
            self._changed()

    def follow(self, *models) -> None:
        """Move on every save and delete of these models."""
        for model in models:
            for signal, verb in ((post_save, "saved"), (post_delete, "deleted")):
                signal.connect(
                    self._changed, sender=model, weak=False, dispatch_uid=f"{self.family}-{verb}-{model.__name__}"
                )

    def follow_m2m(self, *throughs) -> None:
        """Move on every change of these many-to-many relations."""
        for through in throughs:
            m2m_changed.connect(
                self._m2m_changed, sender=through, weak=False, dispatch_uid=f"{self.family}-m2m-{through.__name__}"
            )
