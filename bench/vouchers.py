"""Vouchers on PostgreSQL: issuance of a million vouchers beside a raw COPY of the same rows, and
redemption through the service layer beside a raw single-statement conditional UPDATE.

Goals (issue #4): issuance under 30 s and at least 1/3 of the COPY rate; service redemption at
least 20 % of the raw UPDATE rate.
"""

import datetime
import os
import time

from django.db import connection, transaction
from django.utils import timezone

ISSUE_COUNT = int(os.environ.get("BENCH_ISSUE_COUNT", "1000000"))
REDEEM_COUNT = int(os.environ.get("BENCH_REDEEM_COUNT", "2000"))
ROUND = 100


def _world():
    from aptic.core.tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory
    from aptic.places.models import Offer, Place
    from aptic.vocabulary.models import ServiceCategory
    from aptic.vocabulary.services import vocabulary_load
    from aptic.vouchers.tests.conftest import make_labelled

    vocabulary_load()
    funder = OrganisationFactory(kind="funder", name="Commanditaire du banc d'essai")
    provider = OrganisationFactory(kind="provider", name="Structure du banc d'essai")
    user = MembershipFactory(organisation=provider, role="admin").user
    make_labelled(provider, user)
    commune = CommuneFactory()
    place = Place.objects.create(provider=provider, name="Lieu", address="x", commune=commune, latitude=45, longitude=4)
    offer = Offer.objects.create(
        place=place,
        category=ServiceCategory.objects.first(),
        title="Aide",
        price_cents=1000,
        duration_minutes=30,
        format="individual",
    )
    return funder, provider, user, place, offer


def _issuance(funder):
    from aptic.vouchers import codes
    from aptic.vouchers.issuance import order_create, order_issue
    from aptic.vouchers.models import Voucher

    today = timezone.localdate()
    order = order_create(funder=funder, quantity=ISSUE_COUNT, valid_from=today)
    started = time.perf_counter()
    order_issue(order=order)
    platform = time.perf_counter() - started

    raw_order = order_create(funder=funder, quantity=ISSUE_COUNT, valid_from=today)
    new_codes = codes.generate(ISSUE_COUNT)  # prepared before the clock starts: the baseline is the COPY alone
    rows = [(raw_order.pk, s + 1, new_codes[s], "active", "") for s in range(ISSUE_COUNT)]
    table = connection.ops.quote_name(Voucher._meta.db_table)
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} (order_id, sequence, code, status, status_before_stop) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    raw = time.perf_counter() - started
    # The baseline wrote around the ledger: take its rows back, so the books of the run stay whole.
    Voucher.objects.filter(order=raw_order).delete()
    print(f"issuance of {ISSUE_COUNT:,} vouchers".replace(",", " "))
    print(f"  platform order_issue   {platform:7.2f} s  {ISSUE_COUNT / platform:10,.0f} vouchers/s  (goal < 30 s)")
    print(f"  raw COPY, same rows    {raw:7.2f} s  {ISSUE_COUNT / raw:10,.0f} vouchers/s")
    print(f"  rate ratio platform/raw {raw / platform:6.2f}   (goal ≥ 0.33)")


def _redemption(funder, provider, user, place, offer):
    from aptic.vouchers.issuance import order_create, order_issue
    from aptic.vouchers.models import Redemption, Voucher
    from aptic.vouchers.redemption import redemption_create

    order = order_issue(order=order_create(funder=funder, quantity=2 * REDEEM_COUNT, valid_from=datetime.date.today()))
    all_codes = list(Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True))
    platform_codes, raw_codes = (all_codes[i * REDEEM_COUNT : (i + 1) * REDEEM_COUNT] for i in range(2))
    redemption_create(provider=provider, place=place, offer=offer, codes=[platform_codes.pop()], user=user)
    anchor = Redemption.objects.first()  # raw rows must satisfy the same constraints (a redemption to point at)
    table = connection.ops.quote_name(Voucher._meta.db_table)
    sql = f"UPDATE {table} SET status = 'redeemed', redemption_id = %s WHERE code = %s AND status = 'active'"  # noqa: S608
    platform = raw = 0.0
    # Rounds taken in turn, so that the machine's other work weighs on both alike.
    for start in range(0, REDEEM_COUNT, ROUND):
        started = time.perf_counter()
        for code in platform_codes[start : start + ROUND]:
            redemption_create(provider=provider, place=place, offer=offer, codes=[code], user=user)
        platform += time.perf_counter() - started
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for code in raw_codes[start : start + ROUND]:
                cursor.execute(sql, [anchor.pk, code])  # autocommit: one transaction each, like each redemption
        raw += time.perf_counter() - started
    Voucher.objects.filter(code__in=raw_codes).update(status="active", redemption=None)  # see _issuance
    platform_count, raw_count = len(platform_codes), len(raw_codes)
    print(f"redemption, one client, {platform_count} redemptions of one voucher, in rounds of {ROUND}")
    print(
        f"  service redemption_create {platform / platform_count * 1000:6.2f} ms each"
        f"  {platform_count / platform:8.0f} /s   (read, judge, one call of aptic_redemption_write)"
    )
    print(f"  raw conditional UPDATE    {raw / raw_count * 1000:6.2f} ms each  {raw_count / raw:8.0f} /s")
    print(f"  rate ratio service/raw    {(platform_count / platform) / (raw_count / raw):6.2f}   (goal ≥ 0.20)")


def run():
    if connection.vendor != "postgresql":
        print("vouchers: skipped, these goals are about PostgreSQL (DATABASE_URL=postgresql://…)")
        return
    funder, provider, user, place, offer = _world()
    _redemption(funder, provider, user, place, offer)
    _issuance(funder)
