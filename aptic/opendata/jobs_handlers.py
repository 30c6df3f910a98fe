"""Open data's background work: the statistics written anew every night (ADR 0051), and the import of
a source of reference places (ADR 0050)."""

from aptic.jobs.registry import handler
from aptic.jobs.schedule import periodic
from aptic.places.models import ReferenceImport

from .publishing import statistics_publish
from .reference import REFERENCE_IMPORT_JOB, reference_import_run

PUBLISH_JOB = "opendata.statistics_publish"

# At 3 a.m., local time: the previous day's uses are folded, nobody is at the counter.
periodic(PUBLISH_JOB, hour=3)


@handler(PUBLISH_JOB)
def publish(job, progress) -> dict:
    publication = statistics_publish()
    rows = sum(file.get("rows", 0) for file in publication.files.values())
    progress(rows, rows, "Statistiques ouvertes publiées.")
    return {"publication_id": publication.pk}


@handler(REFERENCE_IMPORT_JOB)
def reference_import(job, progress) -> dict:
    record = ReferenceImport.objects.get(pk=job.params["import_id"])
    report = reference_import_run(record=record, progress=progress)
    if report is not None:
        progress(report.rows, None, report.summary[:300])
    return {"import_id": record.pk}
