from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "aptic.billing"
    verbose_name = "Devis, factures et avoirs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import invariants  # noqa: F401  (registers the billing checks of check_ledger)
