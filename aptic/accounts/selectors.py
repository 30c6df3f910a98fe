"""Reads about people and organisations."""

from django.utils import timezone

from .models import Membership, Organisation


def memberships_of(user):
    return (
        Membership.objects.filter(user=user, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def members_of(organisation: Organisation):
    return organisation.memberships.select_related("user").order_by("user__full_name", "user__email")


def pending_invitations_of(organisation: Organisation):
    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")
