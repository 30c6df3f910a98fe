from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "aptic.ledger"
    verbose_name = "Grand livre"
