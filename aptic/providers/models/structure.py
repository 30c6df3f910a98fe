from django.conf import settings
from django.db import models
from django.utils import timezone

from aptic.accounts.models import Organisation


class ProviderStatus(models.TextChoices):
    PENDING = "pending", "En attente du questionnaire qualité"
    REVIEW = "review", "Qualification en cours d'examen"
    QUALIFIED = "qualified", "Qualifiée"
    REJECTED = "rejected", "Qualification refusée"


class Provider(models.Model):
    """What the platform knows of a digital-mediation structure beyond its organisation."""

    organisation = models.OneToOneField(
        Organisation, primary_key=True, on_delete=models.CASCADE, related_name="provider", verbose_name="organisation"
    )
    status = models.CharField("qualification", max_length=20, choices=ProviderStatus.choices, default="pending")
    typology = models.ForeignKey(
        "vocabulary.PlaceTypology", verbose_name="typologie", on_delete=models.PROTECT, null=True, blank=True
    )
    # The person who filed the eligibility request; they become its first administrator by invitation.
    contact_name = models.CharField("personne à contacter", max_length=150, blank=True)
    requested_at = models.DateTimeField("demande d'éligibilité le", default=timezone.now, editable=False)
    qualified_at = models.DateTimeField("qualifiée le", null=True, blank=True)

    class Meta:
        verbose_name = "structure de médiation numérique"
        verbose_name_plural = "structures de médiation numérique"
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ProviderStatus.values), name="provider_status_valid"),
            models.CheckConstraint(
                condition=~models.Q(status="qualified") | models.Q(qualified_at__isnull=False),
                name="provider_qualified_has_date",
            ),
        ]

    def __str__(self):
        return self.organisation.name


class ProviderEvent(models.Model):
    """Append-only history of a provider's qualification status: who, when, from, to, why."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField("de", max_length=20, choices=ProviderStatus.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=ProviderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="par", on_delete=models.PROTECT, null=True, blank=True
    )
    reason = models.TextField("motif", blank=True)
    created_at = models.DateTimeField("le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "événement de qualification"
        verbose_name_plural = "événements de qualification"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.provider} : {self.from_status or '—'} → {self.to_status}"
