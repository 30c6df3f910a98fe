"""Reporting's background work: the usage rollups, refreshed every FREQUENT_SECONDS (ADR 0035)."""

from aptic.jobs.schedule import frequent

from .services import usage_refresh


def refresh() -> dict:
    return usage_refresh()


frequent("reporting.usage_refresh", refresh)
