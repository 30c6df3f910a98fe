"""Queue background jobs and hand them to the runner (ADR 0013); running one is in execution.py."""

from django.db import transaction

from aptic.core import clock
from aptic.core.errors import DomainError

from . import runner
from .models import Job, JobStatus
from .registry import handler_for


def job_enqueue(*, kind: str, params: dict | None = None, user=None, organisation=None, at=None) -> Job:
    """Record a job and hand it to the worker once the caller's transaction commits. `at`: when it was
    asked for, if not now (a step of the demo's calendar, ADR 0037)."""
    handler_for(kind)  # an unknown kind fails now, in the caller, not later in a worker
    created_at = clock.moment(at)
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, params=params or {}, created_by=user, organisation=organisation, created_at=created_at
        )
        transaction.on_commit(lambda: runner.dispatch(job.pk))
    return job


def job_retry(*, job: Job) -> Job:
    """Staff run a failed job again; handlers pick up where it stopped."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.FAILED:
            raise DomainError("Seul un travail en échec peut être relancé.")
        job.status, job.attempts, job.message = JobStatus.QUEUED, 0, ""
        job.save(update_fields=["status", "attempts", "message"])
        transaction.on_commit(lambda: runner.dispatch(job.pk))
    return job


def jobs_resume() -> int:
    """Hand again to the worker every job that did not finish (after a restart)."""
    pending = list(Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).values_list("pk", flat=True))
    for pk in pending:
        runner.dispatch(pk)
    return len(pending)
