"""Run one background job (ADR 0013): claim it, call its handler, record its progress and outcome.

Below the runner, which calls it in whichever process runs jobs, and below services, which queue
them: a module that queues never runs, and the runner never queues (no import circle, ADR 0030).
"""

import logging

from django.db import transaction
from django.utils import timezone

from aptic.core.errors import DomainError

from .models import Job, JobStatus
from .registry import handler_for

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
FAILURE = "Le travail a échoué sur une erreur inattendue ; l'équipe #APTIC est prévenue."


def job_progress(*, job: Job, done: int, total: int | None = None, message: str = "") -> None:
    """Progress is written outside the handler's transactions, so the pages see it move."""
    if total is not None:
        job.progress_total = total
    job.progress_done = min(done, job.progress_total) if job.progress_total else done
    updates = {"progress_done": job.progress_done, "progress_total": job.progress_total}
    if message:
        job.message = updates["message"] = message[:300]
    Job.objects.filter(pk=job.pk).update(**updates)


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == JobStatus.DONE:
            return None
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.message = JobStatus.FAILED, job.message or FAILURE
            job.save(update_fields=["status", "message"])
            return None
        job.status, job.started_at, job.attempts = JobStatus.RUNNING, timezone.now(), job.attempts + 1
        job.save(update_fields=["status", "started_at", "attempts"])
    return job


def job_run(*, job_id: int) -> Job | None:
    """Run one job to its end. A job found running (its worker was killed) is simply run again."""
    job = _claim(job_id)
    if job is None:
        return None

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        job_progress(job=job, done=done, total=total, message=message)

    try:
        result = handler_for(job.kind)(job, progress)
    except DomainError as exc:
        _finish(job, JobStatus.FAILED, exc.message, {})
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, FAILURE, {})
        raise
    else:
        # No message of its own: the status label alone ("Terminé"), not "Terminé — Terminé." (ADR 0023).
        _finish(job, JobStatus.DONE, job.message, result or {})
    job.refresh_from_db()
    return job


def _finish(job: Job, status: str, message: str, result: dict) -> None:
    done = job.progress_total if status == JobStatus.DONE else None
    updates = {"status": status, "message": message[:300], "result": result, "finished_at": timezone.now()}
    if done is not None:
        updates["progress_done"] = done
    Job.objects.filter(pk=job.pk).update(**updates)
