"""The heavy steps of a payout run, run as jobs (jobs_handlers.py), set-based and resumable.

Each step works provider by provider, in batches committed one by one (on two connections at once,
see _run_batches), each batch leaving a done marker in the same transaction as its work
(`Payout.lines_ready` when preparing, status `sent` when exporting). A step killed at any point is
run again from the top and only does what is left; the partial unique constraint on live payout
lines and the conditional status updates (whose row counts must match) make a second pass over the
same vouchers impossible.
"""

import functools
import logging
import threading
import time

from django.db import connection, connections, transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from aptic.accounts.models import Organisation
from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.ledger import services as ledger
from aptic.places.models import Offer, Place
from aptic.vouchers import lifecycle
from aptic.vouchers.models import Redemption, RedemptionLine, Voucher, VoucherStatus

from . import netting
from .bank import hold_reasons
from .models import NettedFee, Payout, PayoutLine, PayoutRun, PayoutStatus, RunStatus

log = logging.getLogger(__name__)
BATCH_VOUCHERS = 100_000  # vouchers per committed batch (about a second of work on PostgreSQL)
BATCH_PAYOUTS = 1000  # and payouts per batch at most
WORKERS = 2  # database connections a step works on at once (PostgreSQL, outside a transaction)
ROWS_PER_UPDATE = 1000  # rows per UPDATE … FROM (VALUES …) statement
qn = connection.ops.quote_name


class _Phases:
    """Seconds spent in each phase of a step, given back in the job's result (runs are long)."""

    def __init__(self):
        self.seconds, self._last = {}, time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._last, 2)
        self._last = now


def _ids(values) -> str:
    """An SQL list of integer ids (ints only: nothing else can reach the statement)."""
    return ",".join(str(int(v)) for v in values)


def update_rows(model, fields: list[str], rows) -> None:
    """Write different values to many rows in one statement per ROWS_PER_UPDATE rows:
    `WITH v (pk, fields…) AS (VALUES …) UPDATE table SET field = v.field … FROM v WHERE pk = v.pk`.
    `rows` are tuples (pk, one value per field, foreign keys as ids). bulk_update's CASE WHEN grows
    with the square of its batch; this does not. PostgreSQL and SQLite (3.33+) alike."""
    meta = model._meta
    columns = [meta.pk] + [meta.get_field(name) for name in fields]
    names = [qn(field.column) for field in columns]
    row_sql = "(" + ", ".join(f"CAST(%s AS {field.db_type(connection)})" for field in columns) + ")"
    table, pk = qn(meta.db_table), names[0]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    rows = list(rows)
    for start in range(0, len(rows), ROWS_PER_UPDATE):
        chunk = rows[start : start + ROWS_PER_UPDATE]
        params = [f.get_db_prep_value(v, connection) for row in chunk for f, v in zip(columns, row, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v ({', '.join(names)}) AS (VALUES {', '.join([row_sql] * len(chunk))}) "  # noqa: S608
                f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{pk} = v.{pk}",
                params,
            )


# --- Preparation ------------------------------------------------------------------------------


def owed_lines(run: PayoutRun):
    """Redemption lines the run pays: redeemed, not cancelled, older than the cutoff, in no live payout."""
    in_payout = PayoutLine.objects.filter(voucher_id=OuterRef("voucher_id"), is_void=False)
    lines = RedemptionLine.objects.filter(
        is_cancelled=False,
        voucher__status=VoucherStatus.REDEEMED,
        redemption__cancelled_at__isnull=True,
        redemption__created_at__lt=run.cutoff,
    ).exclude(Exists(in_payout))
    if run.only_provider_id:
        lines = lines.filter(redemption__provider_id=run.only_provider_id)
    return lines


def _create_payouts(run: PayoutRun) -> None:
    """One payout per provider owed something, planned or held (with its reason); existing ones
    (from an interrupted pass) are kept as they are."""
    owed = {
        row["redemption__provider_id"]: (row["n"], row["total"])
        for row in owed_lines(run)
        .values("redemption__provider_id")
        .annotate(n=Count("pk"), total=Sum("amount_cents"))
        .order_by()
    }
    existing = set(run.payouts.values_list("provider_id", flat=True))
    todo = [p for p in sorted(owed) if p not in existing]
    reasons = hold_reasons(todo)
    names = dict(Organisation.objects.filter(pk__in=todo).values_list("pk", "name"))
    payouts = []
    for provider_id in todo:
        count, total = owed[provider_id]
        details, reason = reasons[provider_id]
        held = details is None
        payouts.append(
            Payout(
                run=run,
                provider_id=provider_id,
                provider_name=names[provider_id],
                status=PayoutStatus.HELD if held else PayoutStatus.PLANNED,
                hold_reason=reason,
                voucher_count=count,
                gross_cents=total,
                net_cents=total,
                lines_ready=held,  # a held payout takes no voucher: they stay owed for a later run
                bank_details=details,
            )
        )
    Payout.objects.bulk_create(payouts, batch_size=2000, ignore_conflicts=True)


def _batches(queryset):
    """Payout ids in pk order, cut by vouchers (estimated by voucher_count) and by count."""
    batch, vouchers = [], 0
    for pk, count in queryset.order_by("pk").values_list("pk", "voucher_count"):
        batch.append(pk)
        vouchers += count
        if vouchers >= BATCH_VOUCHERS or len(batch) >= BATCH_PAYOUTS:
            yield batch
            batch, vouchers = [], 0
    if batch:
        yield batch


def _run_batches(run: PayoutRun, pending, step, progress, total: int) -> None:
    """Every batch of `pending` through `step(run, batch)`. On PostgreSQL outside a transaction, on
    WORKERS connections at once (threads): the batches are cut once, worker k takes every WORKERS-th
    from the k-th. Each batch claims its payouts with SKIP LOCKED, so a batch another worker (or
    another job on the same run) holds is left to it. A worker's error is raised once all stopped."""
    batches = list(_batches(pending))
    workers = min(WORKERS, len(batches))
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        workers = 1  # SQLite writes one at a time; in a transaction, other connections would not see it

    def work(k: int) -> None:
        for batch in batches[k::workers]:
            step(run, batch)
            progress(total - pending.count(), total)

    errors = []

    def thread_work(k: int) -> None:
        try:
            work(k)
        except Exception as exc:  # noqa: BLE001 (raised again below, in the job's thread)
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=thread_work, args=(k,), name=f"payouts-{k}") for k in range(1, workers)]
    for thread in threads:
        thread.start()
    try:
        work(0)
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]


def _insert_lines(run: PayoutRun, payout_ids) -> None:
    """The owed vouchers of these payouts' providers, in one INSERT … SELECT. A voucher another run
    took meanwhile is skipped by the partial unique constraint (ON CONFLICT DO NOTHING). Vouchers go
    in id order: two runs taking the same vouchers at once wait for each other in one order, never
    in a cycle (a deadlock)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(PayoutLine._meta.db_table)} "  # noqa: S608
            "(payout_id, voucher_id, amount_cents, is_void, place_name, service_title) "
            f"SELECT p.id, rl.voucher_id, rl.amount_cents, %s, pl.name, o.title FROM {qn(Payout._meta.db_table)} p "
            f"JOIN {qn(Redemption._meta.db_table)} r ON r.provider_id = p.provider_id "
            f"JOIN {qn(RedemptionLine._meta.db_table)} rl ON rl.redemption_id = r.id "
            f"JOIN {qn(Voucher._meta.db_table)} v ON v.id = rl.voucher_id "
            f"JOIN {qn(Place._meta.db_table)} pl ON pl.id = r.place_id "
            f"JOIN {qn(Offer._meta.db_table)} o ON o.id = r.offer_id "
            f"WHERE p.id IN ({_ids(payout_ids)}) AND r.created_at < %s AND r.cancelled_at IS NULL "
            "AND rl.is_cancelled = %s AND v.status = %s "
            "ORDER BY rl.voucher_id ON CONFLICT DO NOTHING",
            # The cutoff as the ORM stores datetimes (naive UTC text on SQLite), so the text comparison holds.
            [False, connection.ops.adapt_datetimefield_value(run.cutoff), False, VoucherStatus.REDEEMED],
        )


def _settle_amounts(run: PayoutRun, payouts: list[tuple[int, int]]) -> None:
    """Amounts from the lines actually written, less the subscription periods netted; `payouts` are
    (id, provider id) pairs."""
    sums = {
        row["payout_id"]: (row["n"], row["total"])
        for row in PayoutLine.objects.filter(payout_id__in=[pk for pk, _ in payouts], is_void=False)
        .values("payout_id")
        .annotate(n=Count("pk"), total=Sum("amount_cents"))
        .order_by()
    }
    nets = netting.netting_subscriptions(provider_id for _, provider_id in payouts)
    until = run.period_end or timezone.localdate(run.cutoff)
    fees, rows = [], []
    for pk, provider_id in payouts:
        count, gross = sums.get(pk, (0, 0))
        fee = vat = 0
        status = PayoutStatus.PLANNED
        if count == 0:  # another run paid them first
            status = PayoutStatus.CANCELLED
        elif (subscription := nets.get(provider_id)) is not None:
            for period in netting.periods_due(subscription, until=until, available_cents=gross):
                fees.append(
                    NettedFee(
                        payout_id=pk,
                        subscription=subscription,
                        period_start=period.start,
                        period_end=period.end,
                        fee_cents=period.fee_cents,
                        vat_cents=period.vat_cents,
                    )
                )
                fee += period.fee_cents
                vat += period.vat_cents
        rows.append((pk, count, gross, fee, vat, gross - fee - vat, True, status))
    NettedFee.objects.bulk_create(fees)
    update_rows(
        Payout, ["voucher_count", "gross_cents", "fee_cents", "vat_cents", "net_cents", "lines_ready", "status"], rows
    )


def prepare_batch(run: PayoutRun, batch: list[int]) -> None:
    with transaction.atomic():
        # Another worker on the same run skips the payouts this one holds (PostgreSQL).
        payouts = list(
            Payout.objects.select_for_update(skip_locked=True)
            .filter(pk__in=batch, lines_ready=False, status=PayoutStatus.PLANNED)
            .order_by("pk")
            .values_list("pk", "provider_id")
        )
        if not payouts:
            return
        _insert_lines(run, [pk for pk, _ in payouts])
        _settle_amounts(run, payouts)


def prepare(run: PayoutRun, progress=lambda *a, **k: None) -> dict:
    run = PayoutRun.objects.get(pk=run.pk)
    if run.status != RunStatus.PREPARING:
        return {"status": run.status}
    phases = _Phases()
    _create_payouts(run)
    phases.done("payouts")
    total = run.payouts.count()
    pending = run.payouts.filter(lines_ready=False)
    progress(total - pending.count(), total, "Sélection des chèques à rembourser…")
    _run_batches(run, pending, prepare_batch, progress, total)
    phases.done("lines")
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if run.status == RunStatus.PREPARING and not run.payouts.filter(lines_ready=False).exists():
            run.status = RunStatus.DRAFT
            run.save(update_fields=["status"])
    planned = run.payouts.filter(status=PayoutStatus.PLANNED)
    held = run.payouts.filter(status=PayoutStatus.HELD).count()
    progress(
        total,
        total,
        f"{formats.count(planned.count(), 'remboursement')} {formats.plural(planned.count(), 'prévu')}, "
        f"{formats.number(held)} {formats.plural(held, 'retenu')}.",
    )
    return {"planned": planned.count(), "held": held, "seconds": phases.seconds}


# --- Export -------------------------------------------------------------------------------------


def live_voucher_ids(payout_ids):
    """The vouchers of these payouts' live lines, as a queryset of ids (for the vouchers' services)."""
    return PayoutLine.objects.filter(payout_id__in=list(payout_ids), is_void=False).values("voucher_id")


PLATFORM_CODES = ("platform:bank", "platform:fees", "platform:vat")


def _open_accounts(payouts) -> None:
    """The accounts the export posts to, created (if need be) before the batches: two workers creating
    the same account would wait for each other's whole batch."""
    for code in PLATFORM_CODES:
        ledger.platform_account(code)
    ledger.accounts_for([ledger.provider_payable_spec(p.provider) for p in payouts.select_related("provider")])


def _post(payouts: list[Payout], actor, at=None) -> None:
    """One balanced ledger transaction per payout: provider payable → bank (+ netted fee and VAT),
    all of the batch's in two INSERT statements."""
    payables = ledger.accounts_for([ledger.provider_payable_spec(p.provider) for p in payouts])
    bank, fees, vat = (ledger.platform_account(c) for c in PLATFORM_CODES)
    posted = ledger.transactions_post(
        kind="payout",
        postings=[
            (
                f"Virement {p.reference} à {p.provider.name} : {formats.count(p.voucher_count, 'chèque')}",
                f"payout:{p.pk}",
                [(payable, p.gross_cents), (bank, -p.net_cents), (fees, -p.fee_cents), (vat, -p.vat_cents)],
            )
            for p, payable in zip(payouts, payables, strict=True)
        ],
        actor=actor,
        at=at,
    )
    for payout, txn in zip(payouts, posted, strict=True):
        payout.transaction = txn


def export_batch(run: PayoutRun, batch_ids: list[int], at=None) -> int:
    """Send one batch: hold those whose bank details are no longer verified, reimburse the others'
    vouchers (status and events), post their ledger transactions, mark them sent. All or nothing."""
    from .void import payout_lines_void as _void

    with transaction.atomic():
        payouts = list(
            Payout.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=batch_ids, status=PayoutStatus.PLANNED)
            .select_related("provider")
            .order_by("pk")
        )
        if not payouts:
            return 0
        reasons = hold_reasons([p.provider_id for p in payouts])
        held = [p for p in payouts if reasons[p.provider_id][0] is None]
        for payout in held:
            payout.status, payout.hold_reason = (
                PayoutStatus.HELD,
                f"Retenu à l'export : {reasons[payout.provider_id][1]}",
            )
        _void([p.pk for p in held])
        sent = [p for p in payouts if reasons[p.provider_id][0] is not None]
        expected = sum(p.voucher_count for p in sent)
        moved = lifecycle.vouchers_reimburse(
            voucher_ids=live_voucher_ids(p.pk for p in sent),
            actor=run.exported_by,
            reason=f"Remboursé à la structure (virement {run.reference})",
            at=at,
        )
        if moved != expected:
            raise DomainError(
                f"{formats.count(expected - moved, 'chèque')} de ce virement "
                f"{formats.plural(expected - moved, 'n’est', 'ne sont')} plus à rembourser : l'export est arrêté, "
                "rien n'a été écrit pour ce lot."
            )
        _post(sent, run.exported_by, at)
        for payout in sent:
            details = reasons[payout.provider_id][0]
            payout.status, payout.bank_details = PayoutStatus.SENT, details
            payout.holder, payout.iban, payout.bic = details.holder, details.iban, details.bic
        update_rows(
            Payout,
            ["status", "hold_reason", "bank_details", "holder", "iban", "bic", "transaction"],
            [
                (p.pk, p.status, p.hold_reason, p.bank_details_id, p.holder, p.iban, p.bic, p.transaction_id)
                for p in payouts
            ],
        )
        return len(payouts)


def export(run: PayoutRun, progress=lambda *a, **k: None, *, at=None) -> dict:
    """`at`: now unless given (the demo exports past months on its calendar, ADR 0024)."""
    from .sepa import sepa_write

    run = PayoutRun.objects.get(pk=run.pk)
    if run.status != RunStatus.EXPORTING:
        return {"status": run.status}
    total = run.payouts.exclude(status=PayoutStatus.CANCELLED).count()
    pending = run.payouts.filter(status=PayoutStatus.PLANNED)
    progress(total - pending.count(), total, "Remboursement des chèques et écritures comptables…")
    phases = _Phases()
    _open_accounts(pending)
    phases.done("accounts")
    step = export_batch if at is None else functools.partial(export_batch, at=at)
    _run_batches(run, pending, step, progress, total)
    phases.done("batches")
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if run.status != RunStatus.EXPORTING or run.payouts.filter(status=PayoutStatus.PLANNED).exists():
            return {"status": run.status}  # another worker holds the last batch; it finishes the run
        sent = run.payouts.filter(status=PayoutStatus.SENT)
        if not sent.exists():
            run.status, run.cancelled_at, run.cancel_reason = (
                RunStatus.CANCELLED,
                at or timezone.now(),
                "Toutes les structures ont été retenues à l'export : aucun virement.",
            )
            run.save(update_fields=["status", "cancelled_at", "cancel_reason"])
            return {"sent": 0}
        progress(total, total, "Écriture du fichier SEPA…")
        sepa_write(run)
        run.status, run.exported_at = RunStatus.EXPORTED, at or timezone.now()
        run.save(update_fields=["status", "exported_at", "sepa_file", "sepa_message_id", "sepa_sha256"])
    phases.done("sepa")
    count = sent.count()
    progress(total, total, f"Fichier SEPA prêt : {formats.count(count, 'virement')}.")
    return {"sent": count, "seconds": phases.seconds}
