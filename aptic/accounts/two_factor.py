"""Two-factor authentication of the platform team (ADR 0019), with django-otp.

Every staff user proves a second factor before any staff page or the back office opens:
- a TOTP device (an authenticator application), enrolled once by scanning a QR code and
  confirmed with a first code;
- ten single-use recovery codes (a django-otp static device), shown once at enrolment.

The gate is `StaffTwoFactorMiddleware`, in one place: it looks at the view about to run and, for
a staff user whose session is not verified, redirects every page that needs a login (staff pages,
the Django admin, and also the spaces of the organisations the user belongs to, such as the
platform team's own members page) to enrolment (no confirmed device yet) or to the code page. Only
public pages, the API (its own keys), the two second-factor pages and logging out stay open.
Everyone else is untouched.

Attempts are throttled by django-otp on each device (1 s, 2 s, 4 s… after each failure);
a verification therefore returns None on failure instead of raising inside its transaction, so
that the failure counter it saved is kept.
"""

import base64
import re
from dataclasses import dataclass
from urllib.parse import urlencode

import django_otp
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aptic.core.access import ACCESS_ATTR

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"
_TOTP_TOKEN = re.compile(r"[0-9]{6}")


def needs_second_factor(user) -> bool:
    """A staff user whose session has not passed a second factor."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_staff
        and not getattr(user, "is_verified", lambda: False)()
    )


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# What an unverified staff session may still open: the way to verify, and the way out.
OPEN_BEFORE_SECOND_FACTOR = {"accounts:two_factor_verify", "accounts:two_factor_enrol", "accounts:logout"}


def _is_gated(request, view_func) -> bool:
    """Every view but public pages, API operations and the pages that lead to the second factor: a
    staff password alone must not reach what a staff member's membership allows either (inviting an
    administrator into the platform team, for one)."""
    if getattr(view_func, ACCESS_ATTR, None) in ("public", "api"):
        return False
    match = getattr(request, "resolver_match", None)
    return match is None or match.view_name not in OPEN_BEFORE_SECOND_FACTOR


def gate_url(user, next_url: str = "") -> str:
    """Where an unverified staff user goes: enrolment without a confirmed device, else the code page."""
    name = "accounts:two_factor_verify" if has_confirmed_device(user) else "accounts:two_factor_enrol"
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class StaffTwoFactorMiddleware:
    """The one gate: a staff user's non-public pages need a verified session (after OTPMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not needs_second_factor(request.user) or not _is_gated(request, view_func):
            return None
        return redirect(gate_url(request.user, request.get_full_path()))


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice

    @property
    def secret(self) -> str:
        """The key in base32, as authenticator applications ask for it, in groups of four."""
        raw = base64.b32encode(self.device.bin_key).decode().rstrip("=")
        return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))

    @property
    def qr_svg(self) -> str:
        """The otpauth:// URL as an inline SVG (no style attribute, nothing to load)."""
        import segno

        return segno.make(self.device.config_url, error="m").svg_inline(
            scale=4, dark="#000000", light="#ffffff", title="Code QR à scanner avec l'application"
        )


def totp_enrolment_start(*, user) -> Enrolment:
    """The user's pending (unconfirmed) TOTP device, created on the first visit, kept until confirmed."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return Enrolment(device)


def totp_device_create(*, user, key: str | None = None) -> TOTPDevice:
    """A confirmed TOTP device (demo accounts, tests); `key` in hex as django-otp stores it."""
    with transaction.atomic():
        kwargs = {"key": key} if key else {}
        return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True, **kwargs)


def recovery_codes_create(*, user) -> list[str]:
    """Ten fresh single-use codes; any earlier ones stop working. Shown once: only the device keeps them."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _normalise(token: str) -> str:
    return "".join((token or "").split()).lower()


def totp_enrolment_confirm(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the pending device with a first code: the session is verified and the recovery codes
    returned (to show once). None if the code is wrong or attempts are throttled."""
    token = _normalise(token)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
        if not _TOTP_TOKEN.fullmatch(token) or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        codes = recovery_codes_create(user=request.user)
    django_otp.login(request, device)
    return codes


def two_factor_verify(*, request, token: str):
    """Check a TOTP code (six digits) or a recovery code (used up on success) and mark the session
    verified. Returns the device, or None (wrong code, or attempts throttled: see `throttle_wait`)."""
    token = _normalise(token)
    model = TOTPDevice if _TOTP_TOKEN.fullmatch(token) else StaticDevice
    with transaction.atomic():
        for device in model.objects.devices_for_user(request.user, confirmed=True).select_for_update():
            if device.verify_token(token):
                django_otp.login(request, device)
                return device
    return None


def throttle_wait(user) -> int:
    """Seconds before the next attempt is allowed (0 when allowed), over the user's devices."""
    from django.utils import timezone

    wait = 0
    for device in django_otp.devices_for_user(user, confirmed=None):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            wait = max(wait, int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return wait
