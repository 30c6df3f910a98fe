from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "aptic.vouchers"
    verbose_name = "Chèques"

    def ready(self):
        from . import invariants, signals  # noqa: F401  (invariants registers the checks of check_ledger)

        signals.connect()
