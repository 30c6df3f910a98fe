from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "aptic.providers"
    verbose_name = "Structures de médiation numérique"

    def ready(self):
        from . import signals

        signals.connect()
