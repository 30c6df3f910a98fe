from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "aptic.payouts"
    verbose_name = "Remboursement des structures"
    default_auto_field = "django.db.models.BigAutoField"
