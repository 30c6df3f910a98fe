from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "aptic.core"
    verbose_name = "Socle"
