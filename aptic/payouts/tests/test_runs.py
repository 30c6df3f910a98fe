"""Payout runs end to end through the staff pages, the SEPA file, the books, and bad input."""

import datetime
import re

import pytest
import xmlschema
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from aptic.jobs.models import JobStatus
from aptic.ledger.models import Transaction
from aptic.vouchers.models import Voucher, VoucherEvent, VoucherStatus
from aptic.vouchers.redemption import redemption_cancel

from .. import services, steps
from ..models import NettedFee, PayoutLine, PayoutRun, PayoutStatus, RunKind, RunStatus
from ..sepa import schema_name, schema_path
from .conftest import ledger_breaches

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Jobs run when their transaction commits; in a test, when this block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _post(client, user, url, data, follow=True):
    client.force_login(user)
    return client.post(url, data, follow=follow)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_monthly_run_from_draft_to_paid_through_the_staff_pages(pay, client, run_jobs):
    paid_a = pay.provider("Fablab Alpha")
    paid_b = pay.provider("Médiathèque Beta", iban_index=1)
    held = pay.provider("Tiers-lieu Gamma", verified=False)
    pay.redeem(paid_a, 3)
    pay.redeem(paid_b, 2)
    pay.redeem(held, 1)
    this_month = pay.redeem(paid_a, 1, at=timezone.now() - datetime.timedelta(hours=30))  # next month's run

    with run_jobs():
        response = _post(
            client, pay.staff, reverse("payouts:staff_runs"), {"kind": "monthly", "month": pay.month.isoformat()}
        )
    run = PayoutRun.objects.get()
    assert response.status_code == 200 and run.status == RunStatus.DRAFT and run.prepared_by == pay.staff
    url = reverse("payouts:staff_run", kwargs={"pk": run.pk})
    page = client.get(url).content.decode()
    assert "Tiers-lieu Gamma" in page and "en attente de vérification" in page
    payouts = {p.provider_id: p for p in run.payouts.all()}
    assert payouts[held.pk].status == PayoutStatus.HELD and payouts[held.pk].lines.count() == 0
    assert (payouts[paid_a.pk].voucher_count, payouts[paid_a.pk].net_cents) == (3, 3000)
    assert this_month[0].lines.get().voucher_id not in PayoutLine.objects.values_list("voucher_id", flat=True)

    response = _post(client, pay.staff, url, {"action": "approve"})
    assert "doit être approuvé par un autre membre" in _messages(response)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT and run.approved_by is None

    response = _post(client, pay.staff, url, {"action": "paid"})
    assert "n'a pas encore été exporté" in _messages(response)

    response = _post(client, pay.staff2, url, {"action": "approve"})
    assert "Virement approuvé" in _messages(response)
    with run_jobs():
        response = _post(client, pay.staff, url, {"action": "export"})
    run.refresh_from_db()
    assert run.status == RunStatus.EXPORTED and run.sepa_file
    assert Voucher.objects.filter(status=VoucherStatus.REIMBURSED).count() == 5
    assert VoucherEvent.objects.filter(to_status=VoucherStatus.REIMBURSED).count() == 5
    assert ledger_breaches() == []

    response = _post(client, pay.staff2, url, {"action": "export"})
    assert "déjà été exporté" in _messages(response)
    run.refresh_from_db()
    assert run.status == RunStatus.EXPORTED and Transaction.objects.filter(kind="payout").count() == 2

    client.force_login(pay.staff)
    sepa = client.get(reverse("payouts:staff_sepa", kwargs={"pk": run.pk}))
    document = b"".join(sepa.streaming_content)
    xmlschema.XMLSchema(str(schema_path(schema_name()))).validate(document.decode())
    text = document.decode()
    assert text.count("<CdtTrfTxInf>") == 2 and "<CtrlSum>50.00</CtrlSum>" in text
    assert payouts[paid_a.pk].reference in text and "FR7630004000031234567890143" in text
    assert "<IBAN>FR7630004000031234567890143</IBAN>" in text  # the debtor's demo account from settings' default

    response = _post(client, pay.staff2, url, {"action": "paid"})
    run.refresh_from_db()
    assert run.status == RunStatus.PAID and run.paid_by == pay.staff2
    assert call_command("check_ledger") is None  # exits non-zero on any breach


def test_an_automatic_monthly_run_needs_two_staff_members(pay, run_jobs):
    provider = pay.provider("Fablab Alpha")
    pay.redeem(provider, 1)
    with run_jobs():
        run = services.run_create(kind=RunKind.MONTHLY, month=pay.month, user=None)
    run.refresh_from_db()
    with pytest.raises(Exception, match="préparé automatiquement"):
        services.run_approve(run=run, user=pay.staff)
    services.run_take_charge(run=run, user=pay.staff)
    with pytest.raises(Exception, match="un autre membre"):
        services.run_approve(run=run, user=pay.staff)
    assert services.run_approve(run=run, user=pay.staff2).status == RunStatus.APPROVED


def test_the_database_refuses_a_run_approved_by_its_preparer(pay):
    from django.db import IntegrityError, transaction

    run = PayoutRun.objects.create(kind=RunKind.ON_DEMAND, cutoff=timezone.now(), prepared_by=pay.staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutRun.objects.filter(pk=run.pk).update(
            status=RunStatus.APPROVED, approved_by=pay.staff, approved_at=timezone.now()
        )


def test_a_voucher_is_in_one_live_payout_line_only(pay, run_jobs):
    from django.db import IntegrityError, transaction

    provider = pay.provider("Fablab Alpha")
    pay.redeem(provider, 1)
    with run_jobs():
        run = services.run_create(kind=RunKind.ON_DEMAND, user=pay.staff)
    line = PayoutLine.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutLine.objects.create(payout=line.payout, voucher=line.voucher, amount_cents=1000)
    # A second run at the same time finds nothing left to pay.
    with run_jobs():
        other = services.run_create(kind=RunKind.ON_DEMAND, user=pay.staff)
    other.refresh_from_db()
    assert other.payouts.count() == 0 and run.payouts.get().voucher_count == 1


@pytest.mark.postgres
def test_the_database_refuses_a_payout_line_without_its_voucher_or_payout(pay, run_jobs):
    from django.db import IntegrityError, transaction

    from ..models import Payout

    provider = pay.provider("Fablab Alpha")
    pay.redeem(provider, 1)
    with run_jobs():
        services.run_create(kind=RunKind.ON_DEMAND, user=pay.staff)
    line = PayoutLine.objects.get()
    missing = Voucher.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with pytest.raises(IntegrityError, match="chèque inexistant"), transaction.atomic():
        PayoutLine.objects.create(payout=line.payout, voucher_id=missing, amount_cents=1000, is_void=True)
    with pytest.raises(IntegrityError, match="remboursement inexistant"), transaction.atomic():
        PayoutLine.objects.create(payout_id=line.payout_id + 1000, voucher=line.voucher, amount_cents=10, is_void=True)
    with pytest.raises(IntegrityError, match="ne peut pas être supprimé"), transaction.atomic():
        Payout.objects.filter(pk=line.payout_id)._raw_delete(Payout.objects.db)
    with pytest.raises(IntegrityError, match="ne change ni"), transaction.atomic():
        PayoutLine.objects.filter(pk=line.pk).update(payout_id=line.payout_id + 1000)
    with pytest.raises(IntegrityError, match="ne change ni"), transaction.atomic():
        PayoutLine.objects.filter(pk=line.pk).update(voucher_id=missing)


def test_young_and_cancelled_redemptions_wait(pay, run_jobs):
    provider = pay.provider("Fablab Alpha")
    pay.redeem(provider, 2)
    young = pay.redeem(provider, 1, at=timezone.now() - datetime.timedelta(hours=2))[0]
    cancelled = pay.redeem(provider, 1, at=timezone.now() - datetime.timedelta(hours=3))[0]
    redemption_cancel(redemption=cancelled, user=provider.admin, reason="Service non rendu")
    with run_jobs():
        run = services.run_create(kind=RunKind.ON_DEMAND, user=pay.staff)
    payout = run.payouts.get()
    assert payout.voucher_count == 2
    assert not PayoutLine.objects.filter(voucher__redemption=young).exists()


def _approved_run(pay, run_jobs, kind=RunKind.ON_DEMAND):
    with run_jobs():
        run = services.run_create(kind=kind, user=pay.staff, month=pay.month)
    run.refresh_from_db()
    return services.run_approve(run=run, user=pay.staff2)


def test_a_killed_export_resumed_pays_each_voucher_exactly_once(pay, run_jobs, monkeypatch):
    providers = [pay.provider(f"Structure {n}", iban_index=n) for n in range(5)]
    for n, provider in enumerate(providers):
        pay.redeem(provider, n + 1)
    monkeypatch.setattr(steps, "BATCH_PAYOUTS", 2)
    run = _approved_run(pay, run_jobs)

    real = steps.export_batch
    calls = []

    def dies_on_the_second_batch(run, ids):
        calls.append(ids)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(run, ids)

    monkeypatch.setattr(steps, "export_batch", dies_on_the_second_batch)
    with pytest.raises(RuntimeError), run_jobs():
        services.run_export(run=run, user=pay.staff)
    run.refresh_from_db()
    assert run.status == RunStatus.EXPORTING and run.job.status == JobStatus.FAILED and not run.sepa_file
    assert run.payouts.filter(status=PayoutStatus.SENT).count() == 2  # the first batch is committed
    assert ledger_breaches() == []  # consistent at the point of failure

    monkeypatch.setattr(steps, "export_batch", real)
    with run_jobs():
        services.run_resume(run=run, user=pay.staff)
    run.refresh_from_db()
    assert run.status == RunStatus.EXPORTED and run.job.status == JobStatus.DONE
    assert Voucher.objects.filter(status=VoucherStatus.REIMBURSED).count() == 15
    assert VoucherEvent.objects.filter(to_status=VoucherStatus.REIMBURSED).count() == 15
    assert Transaction.objects.filter(kind="payout").count() == 5
    assert ledger_breaches() == []
    # Running the finished step again changes nothing.
    steps.export(run)
    assert Transaction.objects.filter(kind="payout").count() == 5


def test_a_killed_preparation_resumed_takes_each_voucher_once(pay, run_jobs, monkeypatch):
    providers = [pay.provider(f"Structure {n}", iban_index=n) for n in range(4)]
    for provider in providers:
        pay.redeem(provider, 2)
    monkeypatch.setattr(steps, "BATCH_PAYOUTS", 1)
    real = steps.prepare_batch
    calls = []

    def dies(run, batch):
        calls.append(batch)
        if len(calls) == 3:
            raise RuntimeError("worker killed")
        return real(run, batch)

    monkeypatch.setattr(steps, "prepare_batch", dies)
    with pytest.raises(RuntimeError), run_jobs():
        run = services.run_create(kind=RunKind.ON_DEMAND, user=pay.staff)
    run = PayoutRun.objects.get()
    assert run.status == RunStatus.PREPARING and PayoutLine.objects.count() == 4
    monkeypatch.setattr(steps, "prepare_batch", real)
    with run_jobs():
        services.run_resume(run=run, user=pay.staff)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT and PayoutLine.objects.count() == 8
    assert all(p.voucher_count == 2 and p.net_cents == 2000 for p in run.payouts.all())


def test_a_rejected_transfer_reopens_its_vouchers_for_the_next_run(pay, client, run_jobs):
    provider = pay.provider("Fablab Alpha")
    pay.redeem(provider, 3)
    run = _approved_run(pay, run_jobs)
    with run_jobs():
        services.run_export(run=run, user=pay.staff)
    payout = run.payouts.get()
    url = reverse("payouts:staff_payout", kwargs={"pk": payout.pk})
    response = _post(client, pay.staff, url, {"reject-reason": ""}, follow=False)
    assert response.status_code == 400 and "Indiquez le motif" in response.content.decode()
    response = _post(client, pay.staff, url, {"reject-reason": "Compte clos (AC04)"})
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.REJECTED and payout.reversal is not None
    assert Voucher.objects.filter(status=VoucherStatus.REDEEMED).count() == 3
    assert ledger_breaches() == []

    with run_jobs():
        later = services.run_create(kind=RunKind.ON_DEMAND, user=pay.staff)
    assert later.payouts.get().voucher_count == 3
    services.run_approve(run=later, user=pay.staff2)
    with run_jobs():
        services.run_export(run=later, user=pay.staff)
    assert Voucher.objects.filter(status=VoucherStatus.REIMBURSED).count() == 3
    assert ledger_breaches() == []


def test_bank_details_changed_after_approval_hold_the_payout_at_export(pay, run_jobs):
    from ..bank import bank_details_submit
    from .conftest import rib_upload

    kept = pay.provider("Fablab Alpha")
    changed = pay.provider("Médiathèque Beta", iban_index=1)
    pay.redeem(kept, 1)
    pay.redeem(changed, 2)
    run = _approved_run(pay, run_jobs)
    bank_details_submit(
        provider=changed,
        user=changed.admin,
        holder="Beta",
        iban="FR1420041010050500013M02606",
        bic="",
        rib=rib_upload(),
    )
    with run_jobs():
        services.run_export(run=run, user=pay.staff)
    held = run.payouts.get(provider=changed)
    assert held.status == PayoutStatus.HELD and "attente de vérification" in held.hold_reason
    assert Voucher.objects.filter(status=VoucherStatus.REDEEMED).count() == 2
    assert ledger_breaches() == []


def test_netted_subscription_fees_are_taken_from_the_payout(pay, run_jobs):
    from aptic.providers.models import Subscription

    provider = pay.provider("Fablab Alpha")
    Subscription.objects.filter(provider_id=provider.pk).update(
        payment_method="netting", started_on=pay.month - datetime.timedelta(days=60), trial_until=pay.month
    )
    pay.redeem(provider, 3)
    run = _approved_run(pay, run_jobs, kind=RunKind.MONTHLY)  # one period starts in the month paid
    payout = run.payouts.get()
    assert (payout.gross_cents, payout.fee_cents, payout.vat_cents, payout.net_cents) == (3000, 700, 140, 2160)
    with run_jobs():
        services.run_export(run=run, user=pay.staff)
    entries = {e.account.code: e.amount_cents for e in run.payouts.get().transaction.entries.select_related("account")}
    assert entries == {
        f"provider:{provider.pk}:payable": 3000,
        "platform:bank": -2160,
        "platform:fees": -700,
        "platform:vat": -140,
    }
    assert NettedFee.objects.get().period_start == pay.month + datetime.timedelta(days=1)
    assert ledger_breaches() == []
    # An on-demand run today nets the period that started since, not the same one again.
    pay.redeem(provider, 2, at=timezone.now() - datetime.timedelta(days=2))
    later = _approved_run(pay, run_jobs)
    assert (later.payouts.get().fee_cents, NettedFee.objects.filter(is_void=False).count()) == (700, 2)


def test_bad_run_actions_are_refused_in_french_and_change_nothing(pay, client, run_jobs):
    provider = pay.provider("Fablab Alpha")
    pay.redeem(provider, 1)
    this_month = pay.today.replace(day=1)
    response = _post(
        client, pay.staff, reverse("payouts:staff_runs"), {"kind": "monthly", "month": this_month.isoformat()}, False
    )
    assert response.status_code == 400
    with run_jobs():
        run = services.run_create(kind=RunKind.MONTHLY, month=pay.month, user=pay.staff)
    response = _post(
        client, pay.staff, reverse("payouts:staff_runs"), {"kind": "monthly", "month": pay.month.isoformat()}, False
    )
    assert response.status_code == 400 and "existe déjà" in response.content.decode()
    assert PayoutRun.objects.count() == 1
    run.refresh_from_db()
    url = reverse("payouts:staff_run", kwargs={"pk": run.pk})
    response = _post(client, pay.staff2, url, {"action": "export"})
    assert "doit d'abord être approuvé" in _messages(response)
    response = _post(client, pay.staff2, url, {"action": "cancel", "cancel-reason": ""}, False)
    assert response.status_code == 400
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT and not run.sepa_file
    response = _post(client, pay.staff2, url, {"action": "cancel", "cancel-reason": "Mauvais mois"})
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and not PayoutLine.objects.filter(is_void=False).exists()


def test_staff_pages_are_closed_to_providers(pay, client):
    provider = pay.provider("Fablab Alpha")
    client.force_login(provider.admin)
    for name in ("payouts:staff_runs", "payouts:staff_bank_details"):
        assert client.get(reverse(name)).status_code == 403


def test_monthly_job_is_scheduled_and_prepares_last_month(pay, run_jobs):
    from aptic.jobs.execution import job_run
    from aptic.jobs.schedule import PERIODIC

    from .. import jobs_handlers  # noqa: F401

    assert any(p.kind == "payouts.monthly" and p.day_of_month == 1 and p.hour == 6 for p in PERIODIC)
    provider = pay.provider("Fablab Alpha")
    pay.redeem(provider, 2)
    from aptic.jobs.models import Job

    with run_jobs():
        job = Job.objects.create(kind="payouts.monthly")
    with run_jobs():
        job_run(job_id=job.pk)
    run = PayoutRun.objects.get()
    assert run.kind == RunKind.MONTHLY and run.period_start == pay.month and run.prepared_by is None
    assert run.status == RunStatus.DRAFT and run.payouts.get().voucher_count == 2
    assert re.fullmatch(r"APTIC-V\d{5}", run.reference)
