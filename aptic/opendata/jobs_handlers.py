"""Open data's background work: the import of a source of reference places (ADR 0050)."""

from aptic.jobs.registry import handler
from aptic.places.models import ReferenceImport

from .reference import REFERENCE_IMPORT_JOB, reference_import_run


@handler(REFERENCE_IMPORT_JOB)
def reference_import(job, progress) -> dict:
    record = ReferenceImport.objects.get(pk=job.params["import_id"])
    report = reference_import_run(record=record, progress=progress)
    if report is not None:
        progress(report.rows, None, report.summary[:300])
    return {"import_id": record.pk}
