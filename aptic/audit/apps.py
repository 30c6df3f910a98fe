from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "aptic.audit"
    verbose_name = "Journal des actions de l'équipe"
