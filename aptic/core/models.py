from django.db import models


def coordinates_constraint(name: str) -> models.CheckConstraint:
    """Latitude and longitude in their ranges, for every model that sits on the map."""
    return models.CheckConstraint(
        condition=models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180), name=name
    )


class ReferenceDataset(models.Model):
    """Which version of a reference data file was loaded, so loading twice does nothing."""

    name = models.CharField("jeu de données", max_length=50, unique=True)
    checksum = models.CharField("empreinte SHA-256", max_length=64)
    rows = models.PositiveIntegerField("lignes", default=0)
    loaded_at = models.DateTimeField("chargé le", auto_now=True)

    class Meta:
        verbose_name = "jeu de données de référence"
        verbose_name_plural = "jeux de données de référence"

    def __str__(self):
        return self.name
