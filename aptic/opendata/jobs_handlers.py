"""Open data's background work: the statistics written anew every night (ADR 0051)."""

from aptic.jobs.registry import handler
from aptic.jobs.schedule import periodic

from .publishing import statistics_publish

PUBLISH_JOB = "opendata.statistics_publish"

# At 3 a.m., local time: the previous day's uses are folded, nobody is at the counter.
periodic(PUBLISH_JOB, hour=3)


@handler(PUBLISH_JOB)
def publish(job, progress) -> dict:
    publication = statistics_publish()
    rows = sum(file.get("rows", 0) for file in publication.files.values())
    progress(rows, rows, "Statistiques ouvertes publiées.")
    return {"publication_id": publication.pk}
