from django.apps import AppConfig


class FundersConfig(AppConfig):
    name = "aptic.funders"
    verbose_name = "Espace commanditaire"
