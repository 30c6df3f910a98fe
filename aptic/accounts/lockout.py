"""Who a login attempt is for and where it comes from, as django-axes counts failures (ADR 0018).

- The account is the e-mail address in its one spelling (`email_key`), the same one the user
  lookup compares with: every spelling that could log in to an account counts against it, on the
  site's login page and on the back office's alike.
- The address is the client's, behind the trusted proxies (`core.throttle.client_address`,
  the site's one rule); an IPv6 client by its /64 network.
- Failures lock an account (any address) and an account from one address at
  APTIC_LOGIN_FAILURE_LIMIT; an address alone, which a library's or a France Services' whole staff
  may share, only at APTIC_LOGIN_ADDRESS_FAILURE_LIMIT, much higher.
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

from aptic.core.throttle import client_address

from .models import email_key


def login_identifier(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the attempted account, in the spelling the user lookup uses."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = credentials.get(field) if credentials else getattr(request, "data", request.POST).get(field)
    return email_key(raw) if isinstance(raw, str) else None


def login_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the client's address (an IPv6 client's /64 as its first address)."""
    address = client_address(request).split("/")[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def address_failures(request) -> int:
    """Failed logins from this request's address, on any account, within the cool-off time."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def failure_limit(request, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT: the failures allowed to this account (AXES_LOCKOUT_PARAMETERS counts them
    per account and per account and address); none left once the address alone reached its own limit."""
    if address_failures(request) >= settings.APTIC_LOGIN_ADDRESS_FAILURE_LIMIT:
        return 0
    return settings.APTIC_LOGIN_FAILURE_LIMIT


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """AXES_LOCKOUT_CALLABLE: the French page, with the cool-off time in minutes (not « 0:30:00 »)."""
    minutes = max(1, round(get_cool_off(request).total_seconds() / 60))
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
