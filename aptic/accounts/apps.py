from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "aptic.accounts"
    verbose_name = "Comptes et organisations"
