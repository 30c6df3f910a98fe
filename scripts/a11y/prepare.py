"""What the accessibility crawl needs from Django, as JSON on stdout: a logged-in session cookie for
each demo role (minted server-side, so two-factor enrolment and the login lockout stay out of the
crawl's way; the login pages themselves are crawled anonymously) and the URL patterns, so the crawler
visits a few pages of each pattern instead of every place or voucher.

Run with the same settings as the server the crawl visits (APTIC_ENV, APTIC_VAR_DIR, DATABASE_URL).
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aptic.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver, reverse  # noqa: E402

from aptic.accounts.models import User  # noqa: E402
from aptic.demo.builders.organisations import SHOWN  # noqa: E402


def _otp_device_id(user) -> str | None:
    """The session mark django-otp reads as "verified", when the user has a confirmed device."""
    if "django_otp" not in settings.INSTALLED_APPS:
        return None
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    device = next(iter(devices_for_user(user, confirmed=True)), None)
    return (DEVICE_ID_SESSION_KEY, device.persistent_id) if device else None


def session_cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    otp = _otp_device_id(user)
    if otp:
        session[otp[0]] = otp[1]
    session.create()
    return session.session_key


def patterns(resolver=None, prefix: str = ""):
    """(route name, JavaScript regex of the whole path) for every URL pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        regex = entry.pattern.regex.pattern.lstrip("^")
        if isinstance(entry, URLResolver):
            yield from patterns(entry, prefix + regex)
        elif isinstance(entry, URLPattern):
            whole = (prefix + regex).replace(r"\Z", "$").replace("(?P<", "(?<")
            yield entry.name or entry.lookup_str, "^/" + whole


def main():
    roles = [{"role": "anonyme", "cookie": None}]
    for email in SHOWN:
        user = User.objects.filter(email=email).first()
        if user is None:
            sys.exit(f"Demo account {email} missing: run `manage.py setup_embedded` first.")
        roles.append({"role": email, "cookie": session_cookie(user)})
    json.dump(
        {
            "session_cookie_name": settings.SESSION_COOKIE_NAME,
            "roles": roles,
            "start_paths": ["/", reverse("accounts:home"), reverse("accounts:login")],
            "patterns": [{"name": name, "regex": regex} for name, regex in patterns()],
        },
        sys.stdout,
        ensure_ascii=False,
    )


if __name__ == "__main__":
    main()
