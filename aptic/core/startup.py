"""What a web worker does once, before its first request."""

import gc


def startup_freeze() -> None:
    """Load what the first request would (URL patterns, so every view, form and module they import;
    the template engines), then keep it all out of the garbage collector's full passes: it lives as
    long as the worker, and each full pass would scan it again while a dashboard builds its rows
    (ADR 0062). After a fork, the frozen pages also stay shared."""
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (importing them is the point)
    engines.all()
    gc.collect()
    gc.freeze()
