"""Celery tasks (production): a job by id, and the periodic tick."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> None:
    # acks_late + reject_on_worker_lost: a killed worker's job goes back to the queue; handlers
    # are written to resume.
    from .services import job_run

    job_run(job_id=job_id)


@shared_task(ignore_result=True)
def tick() -> None:
    from .schedule import schedule_tick

    schedule_tick()


@shared_task(ignore_result=True, expires=25)
def frequent() -> None:
    # expires: a backlog of these after a broker outage is dropped, the next one does the same work.
    from .schedule import frequent_tick

    frequent_tick()
