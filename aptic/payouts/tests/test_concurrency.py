"""Two workers on the same payout step at the same instant, each on its own connection: every voucher
is paid exactly once and the books hold. PostgreSQL only (SQLite serialises writers by design)."""

import pytest
from django.db.models import Count

from aptic.core.tests.race import race
from aptic.jobs import runner
from aptic.ledger.models import Transaction
from aptic.vouchers.models import Voucher, VoucherEvent, VoucherStatus

from .. import services, steps
from ..models import Payout, PayoutLine, PayoutRun, PayoutStatus, RunKind, RunStatus
from .conftest import ledger_breaches

WORKERS = 2

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def no_dispatch(monkeypatch):
    """Jobs are queued but not run: the test runs the steps itself, in its workers."""
    monkeypatch.setattr(runner, "dispatch", lambda job_id: None)


def at_once(*calls) -> list[str]:
    """Run the calls released together, each on its own connection; what each one raised, if anything."""
    return [f"{type(o).__name__}: {o}" for o in race(*calls) if isinstance(o, Exception)]


def paid_exactly_once(redeemed: int) -> None:
    assert Voucher.objects.filter(status=VoucherStatus.REIMBURSED).count() == redeemed
    assert Voucher.objects.filter(status=VoucherStatus.REDEEMED).count() == 0
    assert PayoutLine.objects.filter(is_void=False).count() == redeemed
    twice = PayoutLine.objects.filter(is_void=False).values("voucher_id").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists()
    events = VoucherEvent.objects.filter(to_status=VoucherStatus.REIMBURSED)
    assert events.count() == redeemed
    assert events.values("voucher_id").distinct().count() == redeemed
    # One ledger transaction per payout sent, none twice.
    sent = Payout.objects.filter(status=PayoutStatus.SENT).values_list("pk", flat=True)
    references = list(Transaction.objects.filter(kind="payout").values_list("reference", flat=True))
    assert sorted(references) == sorted(f"payout:{pk}" for pk in sent)
    assert ledger_breaches() == []


def test_two_workers_prepare_and_export_the_same_run_at_once(pay, no_dispatch, monkeypatch):
    providers = [pay.provider(f"Structure {n}", iban_index=n) for n in range(8)]
    for n, provider in enumerate(providers):
        pay.redeem(provider, n % 3 + 1)
    redeemed = Voucher.objects.filter(status=VoucherStatus.REDEEMED).count()
    monkeypatch.setattr(steps, "BATCH_PAYOUTS", 1)  # many small batches: the workers interleave

    run = services.run_create(kind=RunKind.ON_DEMAND, user=pay.staff)
    assert at_once(*[lambda: steps.prepare(run)] * WORKERS) == []
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert run.payouts.filter(status=PayoutStatus.PLANNED, lines_ready=True).count() == len(providers)
    assert PayoutLine.objects.filter(is_void=False).count() == redeemed
    assert ledger_breaches() == []

    services.run_approve(run=run, user=pay.staff2)
    services.run_export(run=run, user=pay.staff)
    real, sent = steps.export_batch, []

    def export_batch(run, ids):
        count = real(run, ids)
        sent.append(count)
        return count

    monkeypatch.setattr(steps, "export_batch", export_batch)
    assert at_once(*[lambda: steps.export(run)] * WORKERS) == []
    assert sum(sent) == len(providers)  # between them, the workers sent each payout once
    run.refresh_from_db()
    assert run.status == RunStatus.EXPORTED and run.sepa_file and run.sepa_sha256
    assert run.payouts.filter(status=PayoutStatus.SENT).count() == len(providers)
    paid_exactly_once(redeemed)
    # Both steps run again, once more at the same time: nothing left to do, nothing done.
    assert at_once(lambda: steps.prepare(run), lambda: steps.export(run)) == []
    paid_exactly_once(redeemed)


def test_two_runs_prepared_and_exported_at_once_share_the_vouchers(pay, no_dispatch, monkeypatch):
    providers = [pay.provider(f"Structure {n}", iban_index=n) for n in range(6)]
    for provider in providers:
        pay.redeem(provider, 3)
    redeemed = Voucher.objects.filter(status=VoucherStatus.REDEEMED).count()
    monkeypatch.setattr(steps, "BATCH_PAYOUTS", 2)

    runs = [services.run_create(kind=RunKind.ON_DEMAND, user=pay.staff) for _ in range(WORKERS)]
    assert at_once(*[lambda run=run: steps.prepare(run) for run in runs]) == []
    # Each voucher went to one run or the other (the partial unique index), none to both.
    assert PayoutLine.objects.filter(is_void=False).count() == redeemed
    planned = [r.payouts.filter(status=PayoutStatus.PLANNED) for r in runs]
    assert sum(p.count() for p in planned) >= len(providers)
    assert sum(sum(p.values_list("voucher_count", flat=True)) for p in planned) == redeemed
    assert ledger_breaches() == []

    for run in runs:
        run.refresh_from_db()
        assert run.status == RunStatus.DRAFT
        if run.payouts.filter(status=PayoutStatus.PLANNED).exists():
            services.run_approve(run=run, user=pay.staff2)
            services.run_export(run=run, user=pay.staff)
    exporting = [r for r in runs if PayoutRun.objects.get(pk=r.pk).status == RunStatus.EXPORTING]
    assert at_once(*[lambda run=run: steps.export(run) for run in exporting]) == []
    assert all(PayoutRun.objects.get(pk=r.pk).status == RunStatus.EXPORTED for r in exporting)
    paid_exactly_once(redeemed)
