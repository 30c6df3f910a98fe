"""The address printed in the vouchers' QR codes (ADR 0046): it must reach the public site.

In production a print file carries SITE_URL (APTIC_SITE_URL) for the voucher's lifetime: an address
that only this machine or its network reaches (localhost, a loopback or private IP, a bare host
name) or plain HTTP would print a year of dead or insecure links. The embedded mode prints its own
address (a demo's files are read on the same machine).
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


def site_url_refusal() -> str | None:
    """Why print files may not be produced with this SITE_URL, in French, or None."""
    if settings.EMBEDDED:
        return None
    url = settings.SITE_URL
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme != "https" or not host:
        why = "elle doit commencer par https://"
    elif _local(host):
        why = "elle ne désigne pas un site public (machine locale ou réseau privé)"
    else:
        return None
    return (
        f"Impression impossible : l'adresse du site ({url or 'vide'}) que portent les QR codes des "
        f"chèques ne convient pas, {why}. Indiquez l'adresse publique du site dans APTIC_SITE_URL "
        "(par exemple https://aptic.fr)."
    )


def _local(host: str) -> bool:
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return "." not in host or host == "localhost" or host.endswith((".localhost", ".local", ".internal"))


@checks.register()
def site_url_check(app_configs=None, **kwargs) -> list:
    refusal = site_url_refusal()
    return [checks.Error(refusal, id="printing.E001")] if refusal else []
