from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "aptic.providers"
    verbose_name = "Structures et lieux"
