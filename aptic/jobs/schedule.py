"""Periodic work: which job kinds run when. Celery beat calls `schedule_tick` every few minutes in
production; the embedded scheduler thread calls it every minute. A kind is enqueued once per
period: the tick looks for a job of that kind created since the period began."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import Job


@dataclass(frozen=True)
class Periodic:
    kind: str
    hour: int
    day_of_month: int | None = None  # None: every day

    def period_start(self, now: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(now)
        start = local.replace(hour=self.hour, minute=0, second=0, microsecond=0)
        if self.day_of_month is None:
            return start if start <= local else start - datetime.timedelta(days=1)
        start = start.replace(day=self.day_of_month)
        if start > local:  # before this month's date: the period began last month
            previous = (start.replace(day=1) - datetime.timedelta(days=1)).replace(day=self.day_of_month)
            start = previous
        return start


# Registered by the apps that own the work (vouchers' expiry, payouts' monthly run…).
PERIODIC: list[Periodic] = []
# Short, idempotent work run every FREQUENT_SECONDS without a Job row (a row every 30 s would flood the
# jobs' list): reporting's usage refresh. {name: function()}.
FREQUENT: dict = {}
FREQUENT_SECONDS = 30


def periodic(kind: str, *, hour: int, day_of_month: int | None = None) -> None:
    if all(p.kind != kind for p in PERIODIC):
        PERIODIC.append(Periodic(kind=kind, hour=hour, day_of_month=day_of_month))


def frequent(name: str, function) -> None:
    FREQUENT[name] = function


def frequent_tick() -> dict:
    """Run every frequent function once; one failing does not stop the others. {name: result}."""
    import logging

    from .registry import discover

    discover()
    results = {}
    for name, function in list(FREQUENT.items()):
        try:
            results[name] = function()
        except Exception:
            logging.getLogger(__name__).exception("frequent work %s failed; it runs again at the next tick", name)
    return results


def schedule_tick(now: datetime.datetime | None = None) -> list[Job]:
    from .registry import discover
    from .services import job_enqueue

    discover()
    now = now or timezone.now()
    queued = []
    for entry in list(PERIODIC):
        if not Job.objects.filter(kind=entry.kind, created_at__gte=entry.period_start(now)).exists():
            queued.append(job_enqueue(kind=entry.kind, params={"period_start": entry.period_start(now).isoformat()}))
    return queued
