"""Reporting's background work: the usage rollups, refreshed every FREQUENT_SECONDS (ADR 0035); the
row-level exports over the threshold, and the daily purge of those past their 30 days (ADR 0042)."""

from aptic.core import formats
from aptic.jobs.registry import handler
from aptic.jobs.schedule import frequent, periodic

from .exports.services import EXPORT_JOB, PURGE_JOB
from .models import Export
from .services import export_write, exports_purge, usage_refresh


def refresh() -> dict:
    return usage_refresh()


frequent("reporting.usage_refresh", refresh)
periodic(PURGE_JOB, hour=4)


@handler(EXPORT_JOB)
def export_uses(job, progress) -> dict:
    export = Export.objects.get(pk=job.params["export_id"])
    progress(0, export.rows, "Préparation du fichier…")
    export_write(export=export, progress=lambda done: progress(done))
    progress(export.rows, None, "Fichier prêt : rechargez la page pour le télécharger.")
    return {"export_id": export.pk}


@handler(PURGE_JOB)
def purge(job, progress) -> dict:
    deleted = exports_purge()
    progress(deleted, deleted, f"{formats.count(deleted, 'export')} {formats.plural(deleted, 'supprimé')}.")
    return {"deleted": deleted}
