"""The supply side: the places where providers help people (extended by the providers issue)."""

from django.db import models

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.core.models import coordinates_constraint


class Place(models.Model):
    """A place where a provider welcomes the public: fixed, or the base of a mobile service."""

    provider = models.ForeignKey(
        Organisation,
        verbose_name="structure",
        on_delete=models.PROTECT,
        related_name="places",
        limit_choices_to={"kind": OrganisationKind.PROVIDER},
    )
    name = models.CharField("nom du lieu", max_length=200)
    address = models.CharField("adresse", max_length=250)
    commune = models.ForeignKey(
        "territories.Commune", verbose_name="commune", on_delete=models.PROTECT, related_name="places"
    )
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")
    typologies = models.ManyToManyField("catalogue.PlaceTypology", verbose_name="typologies", blank=True)
    is_mobile = models.BooleanField("itinérant", default=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "lieu"
        verbose_name_plural = "lieux"
        ordering = ["name"]
        constraints = [
            coordinates_constraint("place_coordinates_valid"),
            models.UniqueConstraint(fields=["provider", "name"], name="place_name_unique_per_provider"),
        ]

    def __str__(self):
        return f"{self.name} ({self.commune.name})"
