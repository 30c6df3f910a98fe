"""Celery tasks (production): a job by id, and the periodic tick.

`run_job` is written in runner.py, which dispatches to it, under the name it has always had here:
the runner must not import this module, which sits above it (the tick queues through services).
"""

from celery import shared_task

from .runner import run_job  # noqa: F401  (the worker's autodiscovery imports this module)


@shared_task(ignore_result=True)
def tick() -> None:
    from .schedule import schedule_tick

    schedule_tick()


@shared_task(ignore_result=True, expires=25)
def frequent() -> None:
    # expires: a backlog of these after a broker outage is dropped, the next one does the same work.
    from .schedule import frequent_tick

    frequent_tick()
