"""Payouts on PostgreSQL: a whole run — preparation, approval, export with vouchers reimbursed,
events, one ledger transaction per provider and the SEPA file — for 10,000 providers and a million
redeemed vouchers, beside a raw SQL aggregate of the same payouts.

Goal (issue #6): under 60 s, SEPA file included; memory quoted.

The world is built in bulk (order_issue's COPY, then INSERT … SELECT generate_series for the
redemptions and UPDATE … FROM for the vouchers), not through the counter: building it is not what
is measured.
"""

import datetime
import os
import resource
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

PROVIDERS = int(os.environ.get("BENCH_PAYOUT_PROVIDERS", "10000"))
VOUCHERS = int(os.environ.get("BENCH_PAYOUT_VOUCHERS", "1000000"))
PER_REDEMPTION = 5
IBAN, BIC = "FR7630004000031234567890143", "BNPAFRPP"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _world():
    from aptic.accounts.models import Organisation
    from aptic.core.tests.factories import CommuneFactory, OrganisationFactory, UserFactory
    from aptic.ledger import services as ledger
    from aptic.ledger.models import Account
    from aptic.payouts.models import BankDetails
    from aptic.places.models import Offer, Place
    from aptic.vocabulary.models import ServiceCategory
    from aptic.vocabulary.services import vocabulary_load
    from aptic.vouchers.accounts import order_outstanding_account
    from aptic.vouchers.issuance import order_create, order_issue
    from aptic.vouchers.models import Redemption, RedemptionLine, Voucher

    vocabulary_load()
    staff, staff2 = UserFactory(is_staff=True), UserFactory(is_staff=True)
    funder = OrganisationFactory(kind="funder", name="Commanditaire du banc d'essai")
    providers = Organisation.objects.bulk_create(
        [Organisation(kind="provider", name=f"Structure {n}", slug=f"structure-banc-{n}") for n in range(PROVIDERS)],
        batch_size=5000,
    )
    commune = CommuneFactory()
    # One place and offer serve every redemption: the run reads the redemption's provider only.
    place = Place.objects.create(
        provider=providers[0], name="Lieu", address="x", commune=commune, latitude=45, longitude=4
    )
    offer = Offer.objects.create(
        place=place,
        category=ServiceCategory.objects.first(),
        title="Atelier",
        price_cents=PER_REDEMPTION * 1000,
        duration_minutes=60,
        format="group",
    )
    now = timezone.now()
    BankDetails.objects.bulk_create(
        [
            BankDetails(
                provider=p,
                holder=p.name,
                iban=IBAN,
                bic=BIC,
                rib="payouts/rib/banc.png",
                rib_name="rib.png",
                status="verified",
                submitted_by=staff,
                reviewed_by=staff,
                reviewed_at=now,
            )  # fmt: skip
            for p in providers
        ],
        batch_size=5000,
    )
    today = timezone.localdate()
    month_start = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    order = order_create(
        funder=funder,
        quantity=VOUCHERS,
        valid_from=month_start - datetime.timedelta(days=31),
        valid_until=today + datetime.timedelta(days=60),
        grace_until=today + datetime.timedelta(days=90),
    )
    started = time.perf_counter()
    order = order_issue(order=order)
    redemptions = VOUCHERS // PER_REDEMPTION
    first_provider = providers[0].pk
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(Redemption._meta.db_table)} (provider_id, place_id, offer_id, price_cents, "  # noqa: S608
            "covered_cents, remainder_cents, voucher_count, created_by_id, created_at, idempotency_key, cancel_reason) "
            "SELECT %s + n %% %s, %s, %s, %s, %s, 0, %s, %s, %s + (n %% 27) * interval '1 day', '', '' "
            "FROM generate_series(0, %s) AS n ORDER BY n RETURNING id",
            [first_provider, PROVIDERS, place.pk, offer.pk, PER_REDEMPTION * 1000, PER_REDEMPTION * 1000,
             PER_REDEMPTION, staff.pk, timezone.make_aware(datetime.datetime.combine(month_start, datetime.time(10))),
             redemptions - 1],
        )  # fmt: skip
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("CREATE TEMP TABLE bench_redemption (rank int PRIMARY KEY, id bigint) ON COMMIT DROP")
        with cursor.cursor.copy("COPY bench_redemption (rank, id) FROM STDIN") as copy:
            copy.write("".join(f"{rank}\t{pk}\n" for rank, pk in enumerate(ids)))
        cursor.execute(
            f"UPDATE {qn(Voucher._meta.db_table)} v SET status = 'redeemed', redemption_id = b.id "  # noqa: S608
            "FROM bench_redemption b WHERE v.order_id = %s AND b.rank = (v.sequence - 1) / %s",
            [order.pk, PER_REDEMPTION],
        )
        cursor.execute(
            f"INSERT INTO {qn(RedemptionLine._meta.db_table)} (redemption_id, voucher_id, amount_cents, is_cancelled) "  # noqa: S608
            f"SELECT redemption_id, id, %s, false FROM {qn(Voucher._meta.db_table)} WHERE order_id = %s",
            [order.face_value_cents, order.pk],
        )
        # The redemptions' one ledger transaction: the order's outstanding value → each provider's payable.
        Account.objects.bulk_create(
            [Account(**ledger.provider_payable_spec(p)) for p in providers], batch_size=5000, ignore_conflicts=True
        )
        payables = ledger.accounts_for([ledger.provider_payable_spec(p) for p in providers])
        each = VOUCHERS // PROVIDERS * order.face_value_cents
        ledger.transaction_post(
            kind="redemption",
            description="Utilisations du banc d'essai",
            reference=f"bench:{order.pk}",
            lines=[(order_outstanding_account(order), each * PROVIDERS)] + [(a, -each) for a in payables],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built = time.perf_counter() - started
    return staff, staff2, order, built


def _raw_aggregate(cutoff) -> tuple[float, dict]:
    from aptic.vouchers.models import Redemption, RedemptionLine, Voucher

    qn = connection.ops.quote_name
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.provider_id, count(*), sum(rl.amount_cents) FROM {qn(RedemptionLine._meta.db_table)} rl "  # noqa: S608
            f"JOIN {qn(Redemption._meta.db_table)} r ON r.id = rl.redemption_id "
            f"JOIN {qn(Voucher._meta.db_table)} v ON v.id = rl.voucher_id "
            "WHERE v.status = 'redeemed' AND NOT rl.is_cancelled AND r.cancelled_at IS NULL AND r.created_at < %s "
            "GROUP BY r.provider_id",
            [cutoff],
        )
        rows = {provider: (count, int(total)) for provider, count, total in cursor.fetchall()}
    return time.perf_counter() - started, rows


def run():
    if connection.vendor != "postgresql":
        print("payouts: skipped, this goal is about PostgreSQL (DATABASE_URL=postgresql://…)")
        return
    from aptic.ledger.invariants import checks
    from aptic.payouts import services, steps
    from aptic.payouts.models import PayoutStatus, RunKind, RunStatus
    from aptic.vouchers.models import Voucher

    settings.APTIC_JOBS_BACKEND = "sync"  # the jobs run in this process, at their commit, and are timed
    staff, staff2, order, built = _world()
    print(f"payouts: {PROVIDERS:,} providers, {VOUCHERS:,} redeemed vouchers".replace(",", " "))
    print(f"  world built (issuance COPY, INSERT … SELECT, UPDATE … FROM)  {built:7.2f} s")

    # The baseline first, on the same vouchers: the same payouts as one aggregate.
    cutoff = timezone.make_aware(datetime.datetime.combine(timezone.localdate().replace(day=1), datetime.time()))
    raw, rows = _raw_aggregate(cutoff)

    rss_before = _rss_mb()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    run = services.run_create(kind=RunKind.MONTHLY, month=services.previous_month(), user=staff)
    prepared = time.perf_counter()
    run.refresh_from_db()
    prepare_job = run.job
    services.run_approve(run=run, user=staff2)
    services.run_export(run=run, user=staff)
    platform = time.perf_counter() - started
    exported = platform - (prepared - started)
    run.refresh_from_db()
    phases = {**prepare_job.result.get("seconds", {}), **run.job.result.get("seconds", {})}
    assert run.status == RunStatus.EXPORTED and run.cutoff == cutoff, (run.status, run.cutoff)
    sent = {
        p["provider_id"]: (p["voucher_count"], p["gross_cents"])
        for p in run.payouts.filter(status=PayoutStatus.SENT).values("provider_id", "voucher_count", "gross_cents")
    }
    assert sent == rows, "the run and the raw aggregate disagree"
    assert Voucher.objects.filter(order=order, status="reimbursed").count() == VOUCHERS
    size = run.sepa_file.size
    print(f"  platform run: prepare {prepared - started:6.2f} s, approve + export + SEPA {exported:6.2f} s")
    print(
        "    phases: prepare — payouts {payouts:.2f} s, lines and amounts {lines:.2f} s; export — accounts "
        "{accounts:.2f} s, vouchers + events + ledger {batches:.2f} s, SEPA file {sepa:.2f} s".format(**phases)
    )
    print(
        f"    {steps.WORKERS} database connections per step; load average {load_before:.1f} before the run, "
        f"{os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs, shared)"
    )
    print(f"  platform run in all                          {platform:7.2f} s  (goal < 60 s)")
    print(f"  raw SQL aggregate of the same payouts        {raw:7.2f} s")
    print(f"  time ratio platform/raw                      {platform / raw:7.1f}")
    transfers = f"{len(sent):,}".replace(",", " ")
    print(f"  SEPA file: {transfers} transfers, {size / 1e6:.1f} MB, checked against pain.001.001.03 (lxml)")
    print(f"  peak memory (max RSS) {_rss_mb():.0f} MB, {_rss_mb() - rss_before:+.0f} MB during the run")
    started = time.perf_counter()
    breaches = [b for check in checks() for b in check()]
    print(f"  check_ledger invariants: {len(breaches)} breach(es), {time.perf_counter() - started:.1f} s")
