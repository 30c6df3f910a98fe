"""Distribution's background work: mailing documents, and the daily deletion of addresses."""

from aptic.core import formats
from aptic.jobs.registry import handler
from aptic.jobs.schedule import periodic

from .mailings import DOCUMENTS_JOB, PURGE_JOB, addresses_purge, mailing_documents_generate
from .models import Mailing

periodic(PURGE_JOB, hour=3)


@handler(DOCUMENTS_JOB)
def documents(job, progress) -> dict:
    mailing = Mailing.objects.get(pk=job.params["mailing_id"])
    progress(0, 2, "Étiquettes et courriers en préparation…")
    result = mailing_documents_generate(mailing=mailing, progress=lambda done: progress(done))
    progress(2, None, "Étiquettes et courriers prêts.")
    return result


@handler(PURGE_JOB)
def purge(job, progress) -> dict:
    logs = addresses_purge()
    total = sum(entry.address_count for entry in logs)
    progress(
        len(logs),
        len(logs),
        f"{formats.count(total, 'adresse')} {formats.plural(total, 'effacée')} ({formats.count(len(logs), 'envoi')}).",
    )
    return {"mailings": {str(entry.mailing_id): entry.address_count for entry in logs}}
