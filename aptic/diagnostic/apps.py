from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "aptic.diagnostic"
    verbose_name = "Diagnostic territorial"
