"""Periodic work: which job kinds run when. Celery beat calls `schedule_tick` every few minutes in
production; the embedded scheduler thread calls it every minute. A kind is enqueued once per
period: the tick looks for a job of that kind created since the period began. The embedded scheduler
(`make run`) is here too, above the runner and the services it calls."""

import datetime
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass

from django.apps import apps
from django.db import close_old_connections, connections
from django.utils import timezone

from . import runner
from .models import Job

log = logging.getLogger(__name__)
TICK_SECONDS = 60  # the periodic (daily, monthly) work; the frequent work every FREQUENT_SECONDS


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
    from .registry import discover

    discover()
    results = {}
    for name, function in list(FREQUENT.items()):
        try:
            results[name] = function()
        except Exception:
            log.exception("frequent work %s failed; it runs again at the next tick", name)
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


def _scheduler_loop(stop: threading.Event) -> None:
    from .services import jobs_resume

    # Started from AppConfig.ready(): let every app finish starting before the first query (a query
    # during app initialisation is what Django warns about at `make run`'s start).
    while not apps.ready and not stop.wait(0.05):
        pass
    first = True
    last_tick = None
    while not stop.is_set():
        close_old_connections()
        try:
            if first:
                jobs_resume()
                first = False
            if last_tick is None or time.monotonic() - last_tick >= TICK_SECONDS:
                last_tick = time.monotonic()
                schedule_tick()
            frequent_tick()
        except Exception:
            log.exception("the embedded scheduler failed; it tries again at the next tick")
        finally:
            connections.close_all()
        stop.wait(FREQUENT_SECONDS)


def start_embedded_scheduler_if_serving() -> threading.Event | None:
    """In `make run` only: the development server's serving process (not its reloader, not a
    management command) also runs the daily and monthly work."""
    if runner.backend() != "thread" or len(sys.argv) < 2 or sys.argv[1] != "runserver":
        return None
    if os.environ.get("RUN_MAIN") != "true" and "--noreload" not in sys.argv:
        return None
    stop = threading.Event()
    threading.Thread(target=_scheduler_loop, args=(stop,), name="aptic-scheduler", daemon=True).start()
    return stop
