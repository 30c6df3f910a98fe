"""A print release dated when it happened (ADR 0037): never in the future, never before its order."""

import datetime

import pytest
from django.utils import timezone

from aptic.audit.models import AuditEvent
from aptic.core.errors import DomainError
from aptic.printing.services import order_print_release

pytestmark = pytest.mark.django_db


def test_a_release_is_dated_after_its_order_and_issues_it_then(make_order, staff):
    made = timezone.now() - datetime.timedelta(days=30)
    order = make_order(issue=False, at=made)
    with pytest.raises(DomainError, match="n'existait pas encore"):
        order_print_release(order=order, user=staff, reason="paid", produce=False, at=made - datetime.timedelta(1))
    with pytest.raises(DomainError, match="futur"):
        order_print_release(
            order=order, user=staff, reason="paid", produce=False, at=timezone.now() + datetime.timedelta(1)
        )
    released = made + datetime.timedelta(days=2)
    release = order_print_release(order=order, user=staff, reason="paid", produce=False, at=released)
    order.refresh_from_db()
    assert release.released_at == order.issued_at == released
    assert AuditEvent.objects.get(action="print.released").created_at == released
