from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "aptic.territories"
    verbose_name = "Territoires"
