import datetime

import pytest

from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.printing.models import PrintRelease
from aptic.vouchers.issuance import order_create, order_issue


@pytest.fixture
def distributor(db):
    return OrganisationFactory(kind="distributor", name="Maison France Services de test")


@pytest.fixture
def distributor_member(distributor):
    return MembershipFactory(organisation=distributor, role="member").user


@pytest.fixture
def released(funder, staff):
    """An issued order, released for printing (no file produced: the job runs only on commit)."""

    def make(quantity=100, booklet_size=10, activation="on_distribution", **kwargs):
        kwargs.setdefault("valid_from", datetime.date(2026, 1, 1))
        # Still valid whatever the day the tests run (an ended order is no longer distributed).
        kwargs.setdefault(
            "valid_until", max(datetime.date(2026, 12, 31), datetime.date.today() + datetime.timedelta(365))
        )
        order = order_create(
            funder=kwargs.pop("funder", funder),
            quantity=quantity,
            booklet_size=booklet_size,
            activation=activation,
            **kwargs,
        )
        order = order_issue(order=order)
        PrintRelease.objects.create(order=order, reason="paid", released_by=staff)
        return order

    return make
