"""A posting is dated with the movement it records (ADR 0037), never in the future."""

import datetime

import pytest
from django.utils import timezone

from aptic.core.errors import DomainError
from aptic.ledger import services as ledger

pytestmark = pytest.mark.django_db


def test_a_posting_takes_the_moment_of_its_movement_never_one_to_come():
    bank, fees = ledger.platform_account("platform:bank"), ledger.platform_account("platform:fees")
    then = timezone.now() - datetime.timedelta(days=60)
    posted = ledger.transaction_post(
        kind="test", description="d", reference="r", lines=[(bank, 5), (fees, -5)], at=then
    )
    assert posted.created_at == then
    (batch,) = ledger.transactions_post(kind="test", postings=[("d", "r2", [(bank, 5), (fees, -5)])], at=then)
    assert batch.created_at == then
    with pytest.raises(DomainError, match="futur"):
        ledger.transaction_post(
            kind="test",
            description="d",
            reference="r3",
            lines=[(bank, 5), (fees, -5)],
            at=timezone.now() + datetime.timedelta(minutes=1),
        )
