"""Where jobs run (ADR 0013): Celery workers in production, a thread of the web process in embedded
mode (`make run`: no other service), at once in the tests."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connections

from .execution import job_run

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def backend() -> str:
    return settings.APTIC_JOBS_BACKEND


@shared_task(name="aptic.jobs.tasks.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> None:
    # acks_late + reject_on_worker_lost: a killed worker's job goes back to the queue; handlers
    # are written to resume.
    job_run(job_id=job_id)


def dispatch(job_id: int) -> None:
    mode = backend()
    if mode == "celery":
        run_job.delay(job_id)
    elif mode == "thread":
        _thread_pool().submit(_run_in_thread, job_id)
    else:  # "sync": the tests, and commands that want the result before they return
        job_run(job_id=job_id)


def _thread_pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            # One worker: SQLite takes one writer at a time, and jobs are long rather than many.
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aptic-job")
        return _executor


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        job_run(job_id=job_id)
    except Exception:
        log.exception("job %s failed in the embedded worker", job_id)
    finally:
        connections.close_all()
