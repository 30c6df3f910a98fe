"""Writing the exports prepared in the background (ADR 0042): request one, write its file (the job),
purge the expired ones (daily). Re-exported by aptic/reporting/services.py, the app's one door."""

import datetime
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from aptic.core import tabular
from aptic.core.errors import DomainError
from aptic.jobs.services import job_enqueue

from ..models_exports import KEEP_DAYS, Export, ExportFormat
from .uses import HEADER, WIDTHS, filters_from_json, filters_to_json, uses_rows

EXPORT_JOB = "reporting.export_uses"
PURGE_JOB = "reporting.exports_purge"
PROGRESS_EVERY = 5000  # rows between two progress writes
UNKNOWN_USES_FORMAT = "Format d'export inconnu : choisissez CSV ou XLSX."


def inline_limit() -> int:
    """Rows up to which an export is streamed at once; beyond, a job writes it (issue #14: 50,000)."""
    return getattr(settings, "REPORTING_EXPORT_INLINE_ROWS", 50_000)


def export_request(*, organisation, user, format: str, filters: dict, filter_lines, rows: int) -> Export:
    """Queue the writing of a row-level export of the organisation's uses."""
    if format not in ExportFormat.values:
        raise DomainError(UNKNOWN_USES_FORMAT, field="format")
    if filters.get("funder_id") != organisation.pk:
        raise DomainError("Un export ne porte que sur les chèques de votre organisation.")
    with transaction.atomic():
        export = Export.objects.create(
            organisation=organisation,
            format=format,
            filters=filters_to_json(filters),
            filter_lines=[list(line) for line in filter_lines],
            rows=rows,
            created_by=user,
            expires_at=timezone.now() + datetime.timedelta(days=KEEP_DAYS),
        )
        export.job = job_enqueue(kind=EXPORT_JOB, params={"export_id": export.pk}, user=user, organisation=organisation)
        export.save(update_fields=["job"])
    return export


def _counted(rows, progress):
    for done, row in enumerate(rows, start=1):
        if done % PROGRESS_EVERY == 0:
            progress(done)
        yield row


def export_write(*, export: Export, progress) -> Export:
    """Write the export's file from the database's current rows (run again, it writes it anew)."""
    rows = _counted(uses_rows(filters_from_json(export.filters)), progress)
    with tempfile.TemporaryFile() as handle:
        if export.format == ExportFormat.CSV:
            for chunk in tabular.csv_chunks(HEADER, rows, dialect=tabular.FRENCH_EXCEL):
                handle.write(chunk)
        else:
            tabular.xlsx_write(handle, [tabular.Sheet("Utilisations", HEADER, rows, WIDTHS)])
        handle.seek(0)
        with transaction.atomic():
            old = export.file.name
            export.file.save(export.filename, File(handle), save=False)
            export.save(update_fields=["file"])
        if old and old != export.file.name:
            export.file.storage.delete(old)
    return export


def exports_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the exports past their 30 days, files first. The number deleted."""
    expired = list(Export.objects.filter(expires_at__lt=now or timezone.now()))
    for export in expired:
        if export.file:
            export.file.storage.delete(export.file.name)
    Export.objects.filter(pk__in=[export.pk for export in expired]).delete()
    return len(expired)
