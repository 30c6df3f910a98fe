"""The generations of the statistics published as open data (ADR 0051): each night a job writes
every file anew under its own directory, then records it here; the URLs serve the latest one."""

from django.db import models


class Publication(models.Model):
    generated_at = models.DateTimeField("générée le", db_index=True)
    # The last whole month the uses cover (None: no use yet).
    months_until = models.DateField("mois couverts jusqu'au", null=True, blank=True)
    directory = models.CharField("dossier", max_length=100, unique=True)
    # file name → {"rows": n, "bytes": n, "hash": "sha256:…"}
    files = models.JSONField("fichiers", default=dict)

    class Meta:
        verbose_name = "publication des statistiques ouvertes"
        verbose_name_plural = "publications des statistiques ouvertes"
        ordering = ["-generated_at", "-pk"]

    def __str__(self):
        return f"Statistiques ouvertes du {self.generated_at:%Y-%m-%d %H:%M}"
