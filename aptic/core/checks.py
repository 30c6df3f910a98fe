"""Deployment checks (`manage.py check --deploy`): production must not invoice or pay in the name
of the demonstration identity, nor run its processes on caches they do not share."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from .generations import shared_across_processes

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


@register(deploy=True)
def shared_cache(app_configs, **kwargs):
    """Several processes serve production: API keys, the hot paths' caches and every rate limit
    must live in one cache they all read (ADR 0018). Each process's own memory would keep a revoked
    key alive there and multiply every limit by the number of processes."""
    if settings.EMBEDDED:
        return []
    aliases = {"default", getattr(settings, "APTIC_VOUCHER_LOOKUP_CACHE", "default")}
    return [
        Error(
            f"The cache {alias!r} ({settings.CACHES[alias]['BACKEND']}) is not shared by the site's processes: "
            "revoked API keys would stay valid in the others and rate limits would multiply.",
            hint="Set REDIS_URL (README, Configuration).",
            id="aptic.E001",
        )
        for alias in sorted(aliases)
        if not shared_across_processes(alias)
    ]
