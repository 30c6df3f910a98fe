"""The platform's vocabulary, from the national standard for places of digital mediation (v1.0.2).

Loaded from files (services.vocabulary_load); staff may add terms in the back office without a
code change. `standard_value` is the exact string the standard uses, for export and import.
"""

from django.db import models


class VocabularyTerm(models.Model):
    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("libellé", max_length=200)
    standard_value = models.CharField(
        "valeur dans le standard national",
        max_length=200,
        blank=True,
        help_text="Laisser vide pour un terme propre à #APTIC, absent du standard.",
    )
    description = models.TextField("description", blank=True)
    position = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    is_active = models.BooleanField("utilisable", default=True)
    from_standard = models.BooleanField("issu du standard", default=False, editable=False)

    class Meta:
        abstract = True
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["standard_value"],
                condition=~models.Q(standard_value=""),
                name="%(app_label)s_%(class)s_standard_value_unique",
            )
        ]

    def __str__(self):
        return self.label


class ServiceCategory(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = "catégorie de service"
        verbose_name_plural = "catégories de services"


class PlaceTypology(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = "typologie de lieu"
        verbose_name_plural = "typologies de lieux"


class Public(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = "public spécifiquement adressé"
        verbose_name_plural = "publics spécifiquement adressés"


class AccessMode(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = "modalité d'accès"
        verbose_name_plural = "modalités d'accès"


class SupportMode(VocabularyTerm):
    class Meta(VocabularyTerm.Meta):
        verbose_name = "modalité d'accompagnement"
        verbose_name_plural = "modalités d'accompagnement"
