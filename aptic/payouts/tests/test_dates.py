"""Bank details dated when entered and reviewed (ADR 0037): never in the future, never reviewed
before they were entered."""

import datetime

import pytest
from django.utils import timezone

from aptic.core.errors import DomainError

from ..bank import bank_details_review, bank_details_submit
from .conftest import rib_upload
from .test_bank import GOOD

pytestmark = pytest.mark.django_db


def test_bank_details_are_reviewed_after_they_were_entered(pay, staff):
    provider = pay.provider("Fablab daté", bank=False)
    entered = timezone.now() - datetime.timedelta(days=30)
    with pytest.raises(DomainError, match="futur"):
        bank_details_submit(
            provider=provider, user=provider.admin, rib=rib_upload(), at=timezone.now() + datetime.timedelta(days=1),
            **GOOD,
        )  # fmt: skip
    details = bank_details_submit(provider=provider, user=provider.admin, rib=rib_upload(), at=entered, **GOOD)
    assert details.submitted_at == entered
    with pytest.raises(DomainError, match="avant d'avoir été saisies"):
        bank_details_review(details=details, staff=staff, verify=True, at=entered - datetime.timedelta(hours=1))
    reviewed = entered + datetime.timedelta(days=2)
    details = bank_details_review(details=details, staff=staff, verify=True, at=reviewed)
    assert details.reviewed_at == reviewed and details.status == "verified"
