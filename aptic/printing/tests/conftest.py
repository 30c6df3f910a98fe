import datetime

import pytest

from aptic.core.tests.factories import UserFactory
from aptic.vouchers.issuance import order_create, order_issue


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, email="equipe@aptic.test")


@pytest.fixture
def make_order(funder):
    def make(quantity=20, booklet_size=10, issue=True, **kwargs):
        kwargs.setdefault("valid_from", datetime.date(2026, 1, 1))
        order = order_create(funder=funder, quantity=quantity, booklet_size=booklet_size, **kwargs)
        return order_issue(order=order) if issue else order

    return make
