from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "aptic.distribution"
    verbose_name = "Expédition et distribution"
    default_auto_field = "django.db.models.BigAutoField"
