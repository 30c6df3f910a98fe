"""The provider's subscription (7 € or 77 € excl. VAT, first month free), sponsorships and the kit."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from aptic.accounts.models import Organisation, OrganisationKind

from .structure import Provider


class SubscriptionPlan(models.TextChoices):
    MONTHLY = "monthly", "Mensuel — 7 € HT par mois"
    YEARLY = "yearly", "Annuel — 77 € HT par an"


# Integer cents, excluding VAT.
PLAN_PRICES_CENTS = {SubscriptionPlan.MONTHLY: 700, SubscriptionPlan.YEARLY: 7700}


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", "Virement de la structure"
    NETTING = "netting", "Déduit des remboursements de chèques"
    SPONSORED = "sponsored", "Pris en charge par un commanditaire"


class Subscription(models.Model):
    """One per provider. Its state (trial, active, lapsed) derives from dates: see selectors."""

    provider = models.OneToOneField(Provider, on_delete=models.CASCADE, related_name="subscription")
    plan = models.CharField("formule", max_length=10, choices=SubscriptionPlan.choices)
    payment_method = models.CharField("paiement", max_length=10, choices=PaymentMethod.choices)
    price_cents = models.PositiveIntegerField("prix HT (centimes)")
    started_on = models.DateField("début")
    trial_until = models.DateField("gratuit jusqu'au")
    covered_until = models.DateField("payé jusqu'au", null=True, blank=True)
    cancelled_on = models.DateField("résilié le", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "abonnement"
        verbose_name_plural = "abonnements"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trial_until__gt=models.F("started_on")), name="subscription_trial"
            ),
            models.CheckConstraint(condition=models.Q(plan__in=SubscriptionPlan.values), name="subscription_plan"),
            models.CheckConstraint(
                condition=models.Q(payment_method__in=PaymentMethod.values), name="subscription_payment_method"
            ),
        ]

    def __str__(self):
        return f"{self.provider} — {self.get_plan_display()}"


class Sponsorship(models.Model):
    """A funder pays the subscription of a provider of its territory for a period."""

    funder = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="sponsorships",
        limit_choices_to={"kind": OrganisationKind.FUNDER},
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="sponsorships")
    starts_on = models.DateField("du")
    ends_on = models.DateField("au")
    amount_cents = models.PositiveIntegerField("montant HT (centimes)")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "abonnement parrainé"
        verbose_name_plural = "abonnements parrainés"
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="sponsorship_period"),
        ]

    def __str__(self):
        return f"{self.funder} → {self.provider} ({self.starts_on} – {self.ends_on})"


class KitShipment(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="kit_shipments")
    shipped_on = models.DateField("expédié le")
    tracking = models.CharField("suivi (transporteur, numéro)", max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "envoi du kit"
        verbose_name_plural = "envois du kit"
        ordering = ["-shipped_on"]

    def __str__(self):
        return f"Kit {self.provider} ({self.shipped_on})"
