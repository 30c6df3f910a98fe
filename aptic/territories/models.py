"""The French territories of the current official geography (COG), used by every rule and map."""

from django.db import models

from aptic.core.models import coordinates_constraint


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        verbose_name_plural = "régions"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        verbose_name_plural = "départements"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    nature = models.CharField("nature juridique", max_length=10)

    class Meta:
        verbose_name = "intercommunalité (EPCI)"
        verbose_name_plural = "intercommunalités (EPCI)"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    # Lower-case, accent-free, "saint" spelled "st": what searches compare against.
    search_name = models.CharField(max_length=100, db_index=True, editable=False)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, null=True, blank=True, related_name="communes")
    population = models.PositiveIntegerField("population", null=True, blank=True)
    latitude = models.FloatField("latitude")
    longitude = models.FloatField("longitude")
    postal_codes = models.CharField("codes postaux", max_length=200, help_text="Séparés par des espaces.")
    # A commune that left the official geography (merged) stays, so that old records still point at it.
    is_current = models.BooleanField("commune actuelle", default=True)

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name"]
        constraints = [
            coordinates_constraint("commune_coordinates_valid"),
            models.CheckConstraint(
                condition=models.Q(insee_code__regex=r"^[0-9][0-9AB][0-9]{3}$"), name="commune_code_format"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.main_postal_code})"

    @property
    def main_postal_code(self):
        return self.postal_codes.split(" ", 1)[0] if self.postal_codes else self.departement_id

    @property
    def label(self):
        """What the autocomplete shows and reads back: the INSEE code makes it unambiguous."""
        return f"{self.name} ({self.main_postal_code}) – {self.insee_code}"


class PostalCode(models.Model):
    """One row per postal code of a commune, for fast prefix searches."""

    code = models.CharField(max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postal_code_rows")

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="postal_code_commune_unique")]

    def __str__(self):
        return self.code
