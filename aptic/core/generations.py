"""Cache entries filed under a generation number, for reads the hot paths repeat (the counter,
the API's tokens) and that must never outlive a committed change.

Every write that can change the answer moves the generation, now and again at commit (signals):
a reader that loaded the old rows in between files them under a generation nobody reads any more.
Moving it forgets every entry of the family at once, so it suits data that changes rarely."""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save


class Generation:
    def __init__(self, family: str):
        self.family = family
        self._key = f"{family}:generation"

    def current(self) -> int:
        generation = cache.get(self._key)
        if generation is None:
            cache.add(self._key, 1, None)
            generation = cache.get(self._key, 1)
        return generation

    def key(self, *parts) -> str:
        return ":".join([self.family, str(self.current()), *map(str, parts)])

    def move(self) -> None:
        try:
            cache.incr(self._key)
        except ValueError:  # evicted: any other number than the readers' will do
            cache.set(self._key, 2, None)

    def _changed(self, **kwargs) -> None:
        self.move()
        transaction.on_commit(self.move)

    def follow(self, *models) -> None:
        """Move on every save and delete of these models."""
        for model in models:
            for signal, verb in ((post_save, "saved"), (post_delete, "deleted")):
                signal.connect(
                    self._changed, sender=model, weak=False, dispatch_uid=f"{self.family}-{verb}-{model.__name__}"
                )
