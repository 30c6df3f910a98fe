"""The one permission layer (ADR 0004).

Deny by default:
- LoginRequiredMiddleware makes every view need a logged-in user;
- a view opens to the public only through `@public` (aptic.core.access, with the marks that check nothing);
- a view that acts for an organisation is decorated with `@organisation_required`, which loads the
  organisation named in the URL only through the user's own membership, checks its kind and the
  user's role, and puts both on the request;
- views for any logged-in user (their own account pages) say so with `@authenticated`;
- pages of the platform team outside the Django admin use `@staff_required`;
- operations of the JSON API are marked `api_endpoint`: the API authenticates them itself.
A test walks every URL and fails on a view that carries none of these marks.
"""

from collections.abc import Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied

from aptic.core.access import mark
from aptic.core.errors import AccessDenied

from .models import Membership, Role


def is_platform_staff(user) -> bool:
    """A member of the platform team: logged in, active and staff (the one staff check)."""
    return user is not None and user.is_authenticated and user.is_active and user.is_staff


def staff_check(user, message: str = "Cette action est réservée à l'équipe #APTIC.") -> None:
    """For services: AccessDenied (a DomainError, code "forbidden") unless the user is platform staff."""
    if not is_platform_staff(user):
        raise AccessDenied(message)


def staff_required(view):
    """Platform team only (is_staff): the staff pages outside the Django admin.

    The mark also puts the page behind the staff second factor (accounts/two_factor.py, ADR 0019)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_platform_staff(request.user):
            raise PermissionDenied("Cette page est réservée à l'équipe #APTIC.")
        return view(request, *args, **kwargs)

    return mark(wrapper, "staff")


def membership_for(user, org_slug: str, *, kinds: Iterable[str] | None = None, admin: bool = False) -> Membership:
    """The user's membership of the organisation, or AccessDenied.

    Unknown organisations and organisations the user does not belong to give the same answer,
    so that the existence of another organisation is not revealed.
    """
    if not user.is_authenticated or not user.is_active:
        raise AccessDenied()
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation__slug=org_slug, organisation__is_active=True)
        .first()
    )
    if membership is None:
        raise AccessDenied("Vous n'êtes pas membre de cette organisation.")
    if kinds is not None and membership.organisation.kind not in set(kinds):
        raise AccessDenied("Cet espace n'est pas ouvert à votre type d'organisation.")
    if admin and membership.role != Role.ADMIN:
        raise AccessDenied("Cette action est réservée aux administrateurs de l'organisation.")
    return membership


def organisation_required(view=None, *, kinds: Iterable[str] | None = None, admin: bool = False):
    """For views whose URL has an `org_slug`; sets request.organisation and request.membership."""

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, org_slug, **kwargs):
            try:
                membership = membership_for(request.user, org_slug, kinds=kinds, admin=admin)
            except AccessDenied as exc:
                raise PermissionDenied(exc.message) from exc
            request.membership = membership
            request.organisation = membership.organisation
            return func(request, *args, **kwargs)

        return mark(wrapper, "organisation")

    return decorator(view) if view is not None else decorator
