"""Charter and terms: versioned texts; a provider accepts the current version before accepting vouchers."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .structure import Provider


class CharterVersion(models.Model):
    version = models.PositiveIntegerField("version", unique=True)
    title = models.CharField("titre", max_length=200)
    body = models.TextField("texte de la charte et des conditions")
    published_at = models.DateTimeField(
        "publiée le",
        null=True,
        blank=True,
        help_text="Vide : brouillon. La version publiée la plus récente s'applique.",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "version de la charte"
        verbose_name_plural = "versions de la charte"
        ordering = ["-version"]

    def __str__(self):
        return f"{self.title} (version {self.version})"


class CharterAcceptance(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="charter_acceptances")
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="acceptée par", on_delete=models.PROTECT)
    accepted_at = models.DateTimeField("acceptée le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "acceptation de la charte"
        verbose_name_plural = "acceptations de la charte"
        constraints = [models.UniqueConstraint(fields=["provider", "version"], name="charter_accepted_once")]

    def __str__(self):
        return f"{self.provider} — v{self.version.version}"
