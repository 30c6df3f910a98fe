"""Deployment checks (`manage.py check --deploy`): production must not invoice or pay in the name
of the demonstration identity."""

from django.conf import settings
from django.core.checks import Warning, register

REQUIRED_IN_PRODUCTION = ["APTIC_LEGAL_NAME", "APTIC_LEGAL_SIRET", "APTIC_LEGAL_IBAN", "APTIC_SEPA_DEBTOR_IBAN"]


@register(deploy=True)
def legal_identity(app_configs, **kwargs):
    if settings.EMBEDDED:
        return []
    return [
        Warning(
            f"{name} is not set: documents and transfer files would carry the demonstration identity.",
            hint="Set the platform's legal identity and bank account in the environment (README, Configuration).",
            id="aptic.W001",
        )
        for name in REQUIRED_IN_PRODUCTION
        if not getattr(settings, name, "")
    ]
