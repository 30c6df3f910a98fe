from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "aptic.catalogue"
    verbose_name = "Référentiel des services"
