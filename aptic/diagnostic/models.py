"""The territorial diagnostic's figures, recomputed as a whole by a background job (ADR 0052): the
nearest known place of each category from every commune's centre, and each territory's totals."""

from django.db import models
from django.utils import timezone


class Level(models.TextChoices):
    FRANCE = "france", "France"
    REGION = "region", "région"
    DEPARTEMENT = "departement", "département"
    EPCI = "epci", "intercommunalité"
    COMMUNE = "commune", "commune"


class Run(models.Model):
    """One computation: what it read (the places' fingerprint) and when; the latest one is shown."""

    computed_at = models.DateTimeField("calculé le", default=timezone.now)
    fingerprint = models.CharField("empreinte des lieux", max_length=64)
    places = models.PositiveIntegerField("lieux connus")
    communes = models.PositiveIntegerField("communes")
    seconds = models.FloatField("durée (s)")

    class Meta:
        verbose_name = "calcul du diagnostic"
        verbose_name_plural = "calculs du diagnostic"
        ordering = ["-computed_at"]

    def __str__(self):
        return f"Diagnostic du {self.computed_at:%Y-%m-%d %H:%M}"


class CommuneCoverage(models.Model):
    """One current commune × one service category."""

    # No database constraint: the rows are derived, rewritten whole from the communes and categories
    # of the moment, and checking 627,750 references at commit took longer than the computation
    # (ADR 0052). Django still cascades a deletion.
    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    category = models.ForeignKey(
        "vocabulary.ServiceCategory", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    # Straight line from the commune's centre to the nearest known place offering the category;
    # None: no place offers it anywhere.
    nearest_km = models.FloatField("distance au lieu le plus proche (km)", null=True)
    nearest_kind = models.CharField(max_length=10, blank=True)
    nearest_place_id = models.IntegerField(null=True)
    aptic_places = models.PositiveIntegerField("lieux #APTIC de la commune", default=0)
    reference_places = models.PositiveIntegerField("lieux de référence de la commune", default=0)
    # 1 for the farthest commune of France from the category (no place at all counts farthest), up to
    # compute.MAP_LIMIT; None beyond.
    france_rank = models.PositiveIntegerField(null=True)

    class Meta:
        verbose_name = "couverture d'une commune"
        verbose_name_plural = "couvertures des communes"
        constraints = [models.UniqueConstraint(fields=["commune", "category"], name="diagnostic_commune_category")]
        # The map of France reads its MAP_LIMIT communes by this rank, not by sorting all 34,875; a
        # full index on the distance would double the computation's writing time.
        indexes = [
            models.Index(
                fields=["category", "france_rank"],
                name="diagnostic_france_rank",
                condition=models.Q(france_rank__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.commune_id} × {self.category_id} : {self.nearest_km} km"


class CommuneSummary(models.Model):
    """A commune's rank among the least covered: how many categories are far from it."""

    commune = models.OneToOneField("territories.Commune", on_delete=models.CASCADE, primary_key=True, related_name="+")
    far_categories = models.PositiveSmallIntegerField("catégories à plus de 10 km")
    farthest_km = models.FloatField("distance la plus grande (km)", null=True)

    class Meta:
        verbose_name = "résumé d'une commune"
        verbose_name_plural = "résumés des communes"
        indexes = [models.Index(fields=["-far_categories"], name="diagnostic_far_categories")]

    def __str__(self):
        return f"{self.commune_id} : {self.far_categories} catégories éloignées"


class TerritoryFigures(models.Model):
    """One territory (France, a région, a département or an EPCI) × one service category. A
    commune's own figures are its CommuneCoverage row."""

    level = models.CharField(max_length=12, choices=Level.choices)
    code = models.CharField(max_length=9)  # "" for France
    category = models.ForeignKey("vocabulary.ServiceCategory", on_delete=models.CASCADE, related_name="+")
    population = models.PositiveBigIntegerField("population")
    aptic_places = models.PositiveIntegerField("lieux #APTIC")
    reference_places = models.PositiveIntegerField("lieux de référence")
    beyond_5 = models.PositiveBigIntegerField("habitants à plus de 5 km")
    beyond_10 = models.PositiveBigIntegerField("habitants à plus de 10 km")
    beyond_20 = models.PositiveBigIntegerField("habitants à plus de 20 km")

    class Meta:
        verbose_name = "chiffres d'un territoire"
        verbose_name_plural = "chiffres des territoires"
        constraints = [
            models.UniqueConstraint(fields=["level", "code", "category"], name="diagnostic_territory_category")
        ]

    def __str__(self):
        return f"{self.level} {self.code} × {self.category_id}"


class NationalMedian(models.Model):
    """The median coverage of the territories of one level, for one category (ADR 0052)."""

    level = models.CharField(max_length=12, choices=Level.choices)
    category = models.ForeignKey("vocabulary.ServiceCategory", on_delete=models.CASCADE, related_name="+")
    coverage = models.FloatField("couverture médiane", null=True)

    class Meta:
        verbose_name = "médiane nationale"
        verbose_name_plural = "médianes nationales"
        constraints = [models.UniqueConstraint(fields=["level", "category"], name="diagnostic_level_category")]

    def __str__(self):
        return f"{self.level} × {self.category_id} : {self.coverage}"
