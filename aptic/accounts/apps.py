from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "aptic.accounts"
    verbose_name = "Comptes et organisations"

    def ready(self):
        from . import token_cache

        token_cache.connect()
