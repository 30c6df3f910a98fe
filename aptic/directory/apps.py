from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    """The public catalogue, above places, providers and vouchers whose data it shows (ADR 0030)."""

    name = "aptic.directory"
    verbose_name = "Annuaire des lieux"
