from django.apps import AppConfig


class VocabularyConfig(AppConfig):
    name = "aptic.vocabulary"
    verbose_name = "Référentiel des services"
