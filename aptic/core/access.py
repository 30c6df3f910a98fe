"""The access marks that check nothing themselves: `public`, `authenticated`, `api_endpoint` (ADR 0004).

They live in core so that any app, however low, can open a view; the marks that check a membership
or the staff flag (`organisation_required`, `staff_required`) stay in aptic.accounts.permissions,
which also says how the whole permission layer denies by default.
"""

from django.contrib.auth.decorators import login_not_required

ACCESS_ATTR = "aptic_access"


def mark(view, level: str):
    setattr(view, ACCESS_ATTR, level)
    return view


def public(view):
    """Open to anyone, logged in or not."""
    return mark(login_not_required(view), "public")


def authenticated(view):
    """Open to any logged-in user, for pages about themselves only."""
    return mark(view, "user")


def api_endpoint(view):
    """An operation of the JSON API (aptic/vouchers/api/).

    The API authenticates every request itself, deny by default: each operation inherits the
    API's `auth` (an API key or the site's session with CSRF, acting for one provider), and a
    request that brings neither gets a JSON 401. So LoginRequiredMiddleware, which would answer a
    till's request with a redirect to the HTML login page, is lifted for these views only.
    The URL guard test (accounts/tests/test_permissions.py) also checks, in the OpenAPI
    document, that every API operation declares a security requirement: an operation opened with
    `auth=None` breaks the build like a view without a mark.
    """
    return mark(login_not_required(view), "api")
