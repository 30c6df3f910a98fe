from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "aptic.billing"
    verbose_name = "Devis, factures et avoirs"
    default_auto_field = "django.db.models.BigAutoField"
