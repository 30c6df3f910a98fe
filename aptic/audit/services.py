"""The one writer of the audit journal (ADR 0019)."""

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from aptic.core import clock

from .models import AuditAction, AuditEvent

SYSTEM_LABEL = "Tâche automatique"


def _json_safe(details: dict) -> dict:
    import json

    return json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))


def _actor_label(actor) -> str:
    if actor is None:
        return SYSTEM_LABEL
    name = (getattr(actor, "full_name", "") or "").strip()
    return f"{name} <{actor.email}>" if name else actor.email


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    organisation=None,
    details: dict | None = None,
    actor_label: str = "",
    at=None,
) -> AuditEvent:
    """Append who did what: `actor` is the user who acted (None only for a system job), `action` one of
    AuditAction, `target` the model instance acted on. Written inside the caller's transaction, so
    an action rolled back leaves no trace and an action done always has one. `actor_label` names
    an actor without an account (a public form) instead of "Tâche automatique". `at`: the moment
    of the action when the service was given one (now by default)."""
    action = AuditAction(action)
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # an anonymous user is no actor
    with transaction.atomic():
        return AuditEvent.objects.create(
            actor=actor,
            actor_label=(actor_label if actor is None and actor_label else _actor_label(actor))[:300],
            action=action.value,
            action_label=action.label,
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            target_label=str(target)[:300] if target is not None else "",
            organisation=organisation,
            details=_json_safe(details),
            created_at=clock.moment(at),
        )
