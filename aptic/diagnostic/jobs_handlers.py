"""The diagnostic's background work (ADR 0052): recomputed nightly, and after places change
(the frequent watch queues it once they have been still for a minute)."""

from aptic.core import formats
from aptic.jobs.registry import handler
from aptic.jobs.schedule import frequent, periodic

from .services import COMPUTE_JOB, diagnostic_compute, diagnostic_watch

periodic(COMPUTE_JOB, hour=5)
frequent("diagnostic.watch", diagnostic_watch)


@handler(COMPUTE_JOB)
def compute(job, progress) -> dict:
    run = diagnostic_compute()
    progress(run.communes, run.communes, f"Diagnostic calculé pour {formats.count(run.communes, 'commune')}.")
    return {"run_id": run.pk, "seconds": run.seconds}
