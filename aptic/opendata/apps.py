from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "aptic.opendata"
    verbose_name = "Données ouvertes"
