"""Exports prepared in the background (ADR 0042): a row-level export over the threshold is written
by a job to a private file, listed on the funder's exports page and downloadable for 30 days."""

from django.conf import settings
from django.db import models

from aptic.core.files import private_storage_callable

KEEP_DAYS = 30


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV (Excel)"
    XLSX = "xlsx", "Classeur Excel (XLSX)"


def export_path(instance, filename):
    return f"reporting/exports/{instance.organisation_id}/{filename}"


class Export(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name="organisation", on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField("format", max_length=5, choices=ExportFormat.choices)
    # The usage filters (lookups on the dimensions, dates as ISO text) and their French lines.
    filters = models.JSONField("filtres", default=dict)
    filter_lines = models.JSONField("filtres (libellés)", default=list, blank=True)
    rows = models.PositiveIntegerField("lignes", default=0)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    file = models.FileField(storage=private_storage_callable, upload_to=export_path, max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    expires_at = models.DateTimeField("disponible jusqu'au")

    class Meta:
        verbose_name = "export"
        verbose_name_plural = "exports"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="export_organisation_created"),
            models.Index(fields=["expires_at"], name="export_expires"),
        ]

    def __str__(self):
        return f"Export n° {self.pk} ({self.get_format_display()})"

    @property
    def filename(self) -> str:
        return f"utilisations-{self.created_at:%Y-%m-%d}-{self.pk}.{self.format}"
