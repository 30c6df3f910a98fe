"""Writes of the funder space: the team's reading of a funder's dashboard, journaled."""

from django.db import transaction

from aptic.accounts.permissions import staff_check
from aptic.audit.services import AuditAction, audit_record


def dashboard_drilldown_record(*, actor, funder, filter_lines) -> None:
    """A member of the team opened a funder's dashboard (issue #14 item 8): who, whose, which view."""
    staff_check(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DASHBOARD_VIEWED,
            target=funder,
            organisation=funder,
            details={"filters": " ; ".join(f"{label} : {value}" for label, value in filter_lines)},
        )
