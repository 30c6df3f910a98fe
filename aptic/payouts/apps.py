from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "aptic.payouts"
    verbose_name = "Remboursement des structures"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import invariants  # noqa: F401 (registers the payout checks of check_ledger)
