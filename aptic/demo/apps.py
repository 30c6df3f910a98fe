from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "aptic.demo"
    verbose_name = "Données de démonstration"
