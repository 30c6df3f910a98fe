from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "aptic.reporting"
    verbose_name = "Indicateurs d'utilisation"
    default_auto_field = "django.db.models.BigAutoField"
