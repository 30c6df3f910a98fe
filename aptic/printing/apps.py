from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "aptic.printing"
    verbose_name = "Impression des carnets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the public site URL check, printing.E001)
