"""Shipments, handouts and mailings recorded as of their day (ADR 0037)."""

import datetime

import pytest
from django.utils import timezone

from aptic.core import clock
from aptic.core.errors import DomainError
from aptic.distribution.models import Handout, Shipment
from aptic.distribution.shipments import booklets_hand_out, shipment_create
from aptic.vouchers.models import VoucherEvent

pytestmark = pytest.mark.django_db


def test_a_run_of_handouts_is_recorded_and_activated_as_of_its_day_never_a_day_to_come(
    released, distributor, distributor_member, staff
):
    order = released(quantity=50)
    shipped_on = timezone.localdate() - datetime.timedelta(days=20)
    shipment = shipment_create(order=order, recipient=distributor, ranges=[(1, 5)], shipped_on=shipped_on, user=staff)
    assert Shipment.objects.get(pk=shipment.pk).created_at == clock.moment_of(shipped_on)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError, match="futur"):
        booklets_hand_out(
            organisation=distributor, order=order, first=1, last=2, category="senior", user=distributor_member,
            day=tomorrow,
        )  # fmt: skip
    day = shipped_on + datetime.timedelta(days=5)
    booklets_hand_out(
        organisation=distributor, order=order, first=1, last=2, category="senior", user=distributor_member, day=day
    )
    assert set(Handout.objects.values_list("created_at", flat=True)) == {clock.moment_of(day)}
    assert set(VoucherEvent.objects.filter(to_status="active").values_list("created_at", flat=True)) == {
        clock.moment_of(day)
    }
