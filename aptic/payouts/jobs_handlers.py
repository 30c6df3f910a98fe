"""The payouts' background work: preparing and exporting runs, and the monthly run on the 1st."""

from aptic.jobs.registry import handler
from aptic.jobs.schedule import periodic

from . import steps
from .models import PayoutRun, RunKind

periodic("payouts.monthly", hour=6, day_of_month=1)


@handler("payouts.monthly")
def monthly(job, progress) -> dict:
    """Prepare last month's run, unless staff already did; its approval waits for two staff members."""
    from .services import open_monthly_run, previous_month, run_create

    month = previous_month()
    run = open_monthly_run(month)
    if run is None:
        run = run_create(kind=RunKind.MONTHLY, month=month, user=None)
    progress(1, 1, f"Virement mensuel {run.reference} en préparation.")
    return {"run_id": run.pk}


@handler("payouts.prepare")
def prepare(job, progress) -> dict:
    return steps.prepare(PayoutRun.objects.get(pk=job.params["run_id"]), progress)


@handler("payouts.export")
def export(job, progress) -> dict:
    return steps.export(PayoutRun.objects.get(pk=job.params["run_id"]), progress)
