"""The payouts demo builder, run after the existing demo (small scale)."""

import pytest

from aptic.demo.services import BUILDERS, demo_build
from aptic.payouts import demo as payouts_demo
from aptic.payouts.models import BankDetails, Payout, PayoutRun, PayoutStatus, RunStatus
from aptic.territories.services import territories_load
from aptic.vocabulary.services import vocabulary_load

from .conftest import ledger_breaches

SCALE = 0.02


@pytest.mark.django_db
def test_demo_pays_months_holds_one_provider_and_has_a_rejected_transfer(
    django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.PRIVATE_ROOT = tmp_path
    territories_load()
    vocabulary_load()
    with django_capture_on_commit_callbacks(execute=False):
        context = demo_build(scale=SCALE, force=True)
        if payouts_demo.build not in BUILDERS:  # before the lead wired it into the demo
            payouts_demo.build(context)
    paid = PayoutRun.objects.filter(status=RunStatus.PAID)
    assert paid.count() >= 2
    assert PayoutRun.objects.filter(status=RunStatus.DRAFT, approved_by__isnull=True).count() == 1
    assert Payout.objects.filter(status=PayoutStatus.REJECTED).count() == 1
    held = Payout.objects.filter(status=PayoutStatus.HELD)
    assert held.exists() and all("Aucune coordonnée bancaire" in p.hold_reason for p in held)
    assert BankDetails.objects.filter(status="verified").count() >= 2
    assert any("equipe.controle" in email for email, _, _ in context.accounts)
    assert ledger_breaches() == []
