from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "aptic.vouchers"
    verbose_name = "Chèques"

    def ready(self):
        from . import invariants  # noqa: F401  (registers the voucher checks of check_ledger)
