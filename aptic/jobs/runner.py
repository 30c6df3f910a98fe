"""Where jobs run (ADR 0013): Celery workers in production, a thread of the web process in embedded
mode (`make run`: no other service), at once in the tests."""

import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.apps import apps
from django.conf import settings
from django.db import close_old_connections, connections

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()
TICK_SECONDS = 60  # the periodic (daily, monthly) work; the frequent work every FREQUENT_SECONDS


def backend() -> str:
    return settings.APTIC_JOBS_BACKEND


def dispatch(job_id: int) -> None:
    mode = backend()
    if mode == "celery":
        from .tasks import run_job

        run_job.delay(job_id)
    elif mode == "thread":
        _thread_pool().submit(_run_in_thread, job_id)
    else:  # "sync": the tests, and commands that want the result before they return
        from .services import job_run

        job_run(job_id=job_id)


def _thread_pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            # One worker: SQLite takes one writer at a time, and jobs are long rather than many.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aptic-job")
        return _executor


def _run_in_thread(job_id: int) -> None:
    from .services import job_run

    close_old_connections()
    try:
        job_run(job_id=job_id)
    except Exception:
        log.exception("job %s failed in the embedded worker", job_id)
    finally:
        connections.close_all()


def _scheduler_loop(stop: threading.Event) -> None:
    from .schedule import FREQUENT_SECONDS, frequent_tick, schedule_tick
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
            log.exception("the embedded scheduler failed; it tries again in a minute")
        finally:
            connections.close_all()
        stop.wait(FREQUENT_SECONDS)


def start_embedded_scheduler_if_serving() -> threading.Event | None:
    """In `make run` only: the development server's serving process (not its reloader, not a
    management command) also runs the daily and monthly work."""
    if backend() != "thread" or len(sys.argv) < 2 or sys.argv[1] != "runserver":
        return None
    if os.environ.get("RUN_MAIN") != "true" and "--noreload" not in sys.argv:
        return None
    stop = threading.Event()
    threading.Thread(target=_scheduler_loop, args=(stop,), name="aptic-scheduler", daemon=True).start()
    return stop
