"""Reading the audit journal: newest first, filtered."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import AuditEvent

# The organisation model, named by string in AuditEvent: audit imports nothing of accounts.
Organisation = AuditEvent._meta.get_field("organisation").related_model


def events(
    *,
    actor=None,
    action: str = "",
    organisation: Organisation | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("actor", "organisation", "target_type").order_by("-created_at", "-pk")
    if actor is not None:
        qs = qs.filter(actor=actor)
    if action:
        qs = qs.filter(action=action)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if date_from is not None:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs


def actors():
    """Who can appear as an author: the platform team, and anyone already in the journal."""
    ids = AuditEvent.objects.exclude(actor=None).values("actor_id")
    return get_user_model().objects.filter(is_staff=True) | get_user_model().objects.filter(pk__in=ids)


def organisations():
    return Organisation.objects.filter(pk__in=AuditEvent.objects.exclude(organisation=None).values("organisation_id"))
