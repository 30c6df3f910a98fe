"""Payout runs, step by step, as staff drive them (ADR 0016):

    preparing → draft → approved → exporting → exported → paid        (cancelled from draft/approved)

The heavy work (lines, statuses, events, ledger, SEPA file) is in steps.py and runs as a job;
these services check who may do what and hand the work over. Bank details: bank.py.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.accounts.permissions import staff_check
from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock
from aptic.core.errors import DomainError
from aptic.jobs.models import JobStatus
from aptic.jobs.services import job_enqueue, job_retry
from aptic.ledger import services as ledger
from aptic.vouchers.lifecycle import vouchers_reimbursement_reverse
from aptic.vouchers.rules import CANCEL_WINDOW

from . import steps
from .bank import bank_details_review, bank_details_submit  # noqa: F401 (the app's services, in one place)
from .models import Payout, PayoutRun, PayoutStatus, RunKind, RunStatus
from .target2 import next_business_day
from .void import payout_lines_void

REASON_MAX = 250


def _check_staff(user) -> None:
    staff_check(user, "Seule l'équipe #APTIC gère les virements aux structures.")


def _reason(reason: str, what: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(f"Indiquez le motif {what}.", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"Le motif est trop long ({REASON_MAX} caractères au plus).", field="reason")
    return reason


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = day.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def previous_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _enqueue(run: PayoutRun, kind: str, user, at=None) -> None:
    run.job = job_enqueue(kind=kind, params={"run_id": run.pk}, user=user, at=at)
    run.save(update_fields=["job"])


@transaction.atomic
def run_create(
    *,
    kind: str,
    user=None,
    month: datetime.date | None = None,
    provider: Organisation | None = None,
    now: datetime.datetime | None = None,
) -> PayoutRun:
    """A monthly run (vouchers redeemed up to the end of `month`, and older ones still owed) or an
    on-demand run (everything owed now, optionally for one provider). Redemptions of the last 24 hours
    wait for the next run: they can still be cancelled. `user` None: the scheduler."""
    if user is not None:
        _check_staff(user)
    explicit_now = now is not None
    now = now or timezone.now()
    latest = now - CANCEL_WINDOW
    fields = {"kind": kind, "prepared_by": user, "status": RunStatus.PREPARING}
    if kind == RunKind.MONTHLY:
        if month is None:
            raise DomainError("Choisissez le mois à rembourser.", field="month")
        start, end = month_bounds(month)
        end_of_month = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time()))
        if end_of_month > now:
            raise DomainError(
                "Ce mois n'est pas terminé : son virement se prépare à partir du 1er du mois suivant.", field="month"
            )
        existing = PayoutRun.objects.filter(kind=RunKind.MONTHLY, period_start=start).exclude(
            status=RunStatus.CANCELLED
        )
        if existing.exists():
            raise DomainError(
                f"Le virement mensuel de ce mois existe déjà ({existing.first().reference}).", field="month"
            )
        fields.update(period_start=start, period_end=end, cutoff=min(end_of_month, latest))
    elif kind == RunKind.ON_DEMAND:
        if user is None:
            raise DomainError("Un virement à la demande est préparé par un membre de l'équipe.")
        if provider is not None and provider.kind != OrganisationKind.PROVIDER:
            raise DomainError("Choisissez une structure de médiation numérique.", field="provider")
        fields.update(cutoff=latest, only_provider=provider)
    else:
        raise DomainError("Type de virement inconnu.", field="kind")
    # A run prepared on a given day (the demo) is dated that day, as are its job and journal line.
    at = clock.moment(now) if explicit_now else None
    run = PayoutRun.objects.create(**fields, created_at=now)
    _enqueue(run, "payouts.prepare", user, at)
    audit_record(
        actor=user,
        action=AuditAction.RUN_CREATED,
        target=run,
        organisation=provider,
        details={"kind": run.get_kind_display()},  # as staff read it ("Mensuel"), not the code
        at=at,
    )
    return run


def _locked(run: PayoutRun) -> PayoutRun:
    return PayoutRun.objects.select_for_update().get(pk=run.pk)


@transaction.atomic
def run_take_charge(*, run: PayoutRun, user) -> PayoutRun:
    """A run the scheduler prepared needs a staff member to sign its preparation, so that a second
    one can approve it (four eyes)."""
    _check_staff(user)
    run = _locked(run)
    if run.status != RunStatus.DRAFT:
        raise DomainError("Seul un virement à approuver peut être repris.")
    if run.prepared_by_id is not None:
        raise DomainError("Ce virement a déjà été préparé par un membre de l'équipe.")
    run.prepared_by = user
    run.save(update_fields=["prepared_by"])
    audit_record(actor=user, action=AuditAction.RUN_TAKEN, target=run)
    return run


@transaction.atomic
def run_approve(*, run: PayoutRun, user, at: datetime.datetime | None = None) -> PayoutRun:
    """`at`: now unless given (the demo's calendar, ADR 0024)."""
    _check_staff(user)
    run = _locked(run)
    if run.status != RunStatus.DRAFT:
        raise DomainError(f"Ce virement ne peut pas être approuvé : il est « {run.get_status_display().lower()} ».")
    if run.prepared_by_id is None:
        raise DomainError(
            "Ce virement a été préparé automatiquement : un membre de l'équipe doit d'abord le reprendre, "
            "puis un autre l'approuver."
        )
    if run.prepared_by_id == user.pk:
        raise DomainError(
            "Vous avez préparé ce virement : il doit être approuvé par un autre membre de l'équipe.", code="four_eyes"
        )
    if not run.payouts.filter(status=PayoutStatus.PLANNED).exists():
        raise DomainError("Ce virement ne contient aucun remboursement à virer.")
    run.status, run.approved_by, run.approved_at = RunStatus.APPROVED, user, at or timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=user, action=AuditAction.RUN_APPROVED, target=run, at=run.approved_at)
    return run


@transaction.atomic
def run_export(*, run: PayoutRun, user, at: datetime.datetime | None = None) -> PayoutRun:
    """Start the export: vouchers reimbursed, ledger posted, SEPA file written — once."""
    _check_staff(user)
    run = _locked(run)
    if run.status in (RunStatus.EXPORTING, RunStatus.EXPORTED, RunStatus.PAID) or run.sepa_file:
        raise DomainError(
            "Ce virement a déjà été exporté : le fichier SEPA n'est produit qu'une fois.", code="already_exported"
        )
    if run.status != RunStatus.APPROVED:
        raise DomainError("Ce virement doit d'abord être approuvé par un second membre de l'équipe.")
    # The bank is asked to execute on the export day, or the next day TARGET2 settles (ADR 0044).
    execution_date = next_business_day(timezone.localdate(at) if at else timezone.localdate())
    run.status, run.exported_by, run.execution_date = RunStatus.EXPORTING, user, execution_date
    run.save(update_fields=["status", "exported_by", "execution_date"])
    _enqueue(run, "payouts.export", user, at)
    audit_record(actor=user, action=AuditAction.RUN_EXPORTED, target=run, at=at)
    return run


@transaction.atomic
def run_mark_paid(*, run: PayoutRun, user, at: datetime.datetime | None = None) -> PayoutRun:
    """The bank executed the file (seen on the account statement)."""
    _check_staff(user)
    run = _locked(run)
    if run.status == RunStatus.PAID:
        raise DomainError("Ce virement est déjà marqué payé.")
    if run.status != RunStatus.EXPORTED:
        raise DomainError(
            "Ce virement n'a pas encore été exporté vers la banque : il ne peut pas être marqué payé.",
            code="not_exported",
        )
    if at is not None and run.exported_at and at < run.exported_at:
        raise DomainError("Un virement est payé après son export.")
    run.status, run.paid_by, run.paid_at = RunStatus.PAID, user, at or timezone.now()
    run.save(update_fields=["status", "paid_by", "paid_at"])
    audit_record(actor=user, action=AuditAction.RUN_PAID, target=run, at=run.paid_at)
    return run


@transaction.atomic
def run_cancel(*, run: PayoutRun, user, reason: str, at: datetime.datetime | None = None) -> PayoutRun:
    """Before export only: its vouchers go back to what is owed, for a later run. `at`: when (now by
    default, never to come)."""
    _check_staff(user)
    reason = _reason(reason, "de l'annulation")
    run = _locked(run)
    if run.status not in (RunStatus.DRAFT, RunStatus.APPROVED, RunStatus.PREPARING):
        raise DomainError(
            "Un virement exporté ne s'annule pas : marquez rejetés les remboursements refusés par la banque."
        )
    if run.status == RunStatus.PREPARING and run.job and run.job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        raise DomainError("La préparation est en cours : attendez qu'elle finisse (ou échoue) pour annuler.")
    ids = list(run.payouts.values_list("pk", flat=True))
    payout_lines_void(ids)
    run.payouts.exclude(status=PayoutStatus.HELD).update(status=PayoutStatus.CANCELLED)
    run.status, run.cancelled_by, run.cancelled_at, run.cancel_reason = (
        RunStatus.CANCELLED,
        user,
        clock.moment(at),
        reason,
    )
    run.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    audit_record(
        actor=user, action=AuditAction.RUN_CANCELLED, target=run, details={"reason": reason}, at=run.cancelled_at
    )
    return run


@transaction.atomic
def run_resume(*, run: PayoutRun, user):
    """A failed preparation or export is run again; the steps pick up where they stopped."""
    _check_staff(user)
    run = _locked(run)
    if run.status not in (RunStatus.PREPARING, RunStatus.EXPORTING) or run.job is None:
        raise DomainError("Ce virement n'a pas de travail interrompu à reprendre.")
    audit_record(actor=user, action=AuditAction.RUN_RESUMED, target=run)
    return job_retry(job=run.job)


@transaction.atomic
def payout_reject(*, payout: Payout, user, reason: str, at: datetime.datetime | None = None) -> Payout:
    """The bank returned this transfer: its vouchers are owed again (for the next run), its netted
    periods are due again, and its ledger transaction is reversed."""
    _check_staff(user)
    reason = _reason(reason, "du rejet (donné par la banque)")
    payout = (
        Payout.objects.select_for_update(of=("self",))
        .select_related("run", "provider", "transaction")
        .get(pk=payout.pk)
    )
    if payout.status == PayoutStatus.REJECTED:
        raise DomainError("Ce remboursement est déjà marqué rejeté.")
    if payout.status != PayoutStatus.SENT or payout.run.status not in (RunStatus.EXPORTED, RunStatus.PAID):
        raise DomainError("Seul un remboursement transmis à la banque peut être rejeté par elle.")
    moved = vouchers_reimbursement_reverse(
        voucher_ids=steps.live_voucher_ids([payout.pk]),
        actor=user,
        reason=f"Virement {payout.reference} rejeté par la banque : {reason}",
        at=at,
    )
    if moved != payout.voucher_count:
        raise DomainError("Les chèques de ce remboursement ont changé d'état : rien n'a été modifié.")
    payout_lines_void([payout.pk])
    entries = list(payout.transaction.entries.select_related("account"))
    payout.reversal = ledger.transaction_post(
        kind="payout_reversal",
        description=f"Rejet du virement {payout.reference} à {payout.provider.name} : {reason}"[:250],
        reference=f"payout:{payout.pk}",
        lines=[(e.account, -e.amount_cents) for e in entries],
        actor=user,
        at=at,
    )
    payout.status, payout.rejected_by, payout.rejected_at, payout.rejection_reason = (
        PayoutStatus.REJECTED,
        user,
        at or timezone.now(),
        reason,
    )
    payout.save(update_fields=["status", "reversal", "rejected_by", "rejected_at", "rejection_reason"])
    audit_record(
        actor=user,
        action=AuditAction.PAYOUT_REJECTED,
        target=payout,
        organisation=payout.provider,
        details={"reason": reason, "run": payout.run.reference},
        at=payout.rejected_at,
    )
    return payout


def open_monthly_run(month: datetime.date) -> PayoutRun | None:
    return (
        PayoutRun.objects.filter(kind=RunKind.MONTHLY, period_start=month_bounds(month)[0])
        .filter(~Q(status=RunStatus.CANCELLED))
        .first()
    )
