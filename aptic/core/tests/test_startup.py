"""A web worker's entry points freeze what it keeps for its life (ADR 0062)."""

import gc
import importlib

import pytest


@pytest.mark.parametrize("module", ["aptic.wsgi", "aptic.asgi"])
def test_a_worker_freezes_what_it_keeps_for_its_life(module):
    gc.unfreeze()
    try:
        entry = importlib.reload(importlib.import_module(module))
        assert callable(entry.application)
        # Django, the models, every view and form the URL patterns import: far more than Python's own.
        assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
