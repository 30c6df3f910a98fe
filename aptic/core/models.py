from django.db import models


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
