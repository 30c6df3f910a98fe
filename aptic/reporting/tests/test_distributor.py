"""The distributor's dashboard (ADR 0041): each figure agrees with a count made in the ORM, and a
distributor sees only what it handled (two distributors of one funder)."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.distribution.models import Handout, ShippedBooklet
from aptic.distribution.shipments import booklet_hand_out, shipment_create
from aptic.printing.models import PrintRelease
from aptic.reporting.distributor import DORMANT_DAYS, distributor_report
from aptic.reporting.filters import Filters
from aptic.reporting.services import usage_refresh
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.models import Order, RedemptionLine, Voucher
from aptic.vouchers.redemption import redemption_cancel, redemption_create
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (the counter's world, a fixture)
from aptic.vouchers.tests.test_views_support import issue


def period(start, end):
    """The view of chosen dates, as the period filter reads it from the URL."""
    return Filters(period="dates", start=start, end=end)


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def hands(vocabulary, counter, funder, staff):  # noqa: F811 (counter: the imported fixture)
    """One funder's order of 80 vouchers (8 booklets of 10) shipped to two distributors: booklets
    1-4 to the Maison France Services 120 days ago, 5-6 to the CCAS 20 days ago, 7-8 to the CCAS
    long ago too. Two members of the Maison hand out 1 (senior), 2 (young), 3 (senior); the CCAS hands
    out 5 (young). Vouchers of booklets 1, 2 and 5 are used at the counter's place, one use cancelled."""
    provider, cashier, place, offer, _ = counter
    mfs = OrganisationFactory(kind="distributor", name="Maison France Services")
    ccas = OrganisationFactory(kind="distributor", name="CCAS")
    alice = MembershipFactory(organisation=mfs, role="admin", user__full_name="Alice Martin").user
    bruno = MembershipFactory(organisation=mfs, role="member", user__full_name="Bruno Petit").user
    claire = MembershipFactory(organisation=ccas, role="member", user__full_name="Claire Roux").user
    order = issue(funder, quantity=80, valid_from=days_ago(150))
    PrintRelease.objects.create(order=order, reason="paid", released_by=staff)
    shipment_create(order=order, recipient=mfs, ranges=[(1, 4)], shipped_on=days_ago(120), user=staff)
    shipment_create(order=order, recipient=ccas, ranges=[(5, 6)], shipped_on=days_ago(20), user=staff)
    shipment_create(order=order, recipient=ccas, ranges=[(7, 8)], shipped_on=days_ago(DORMANT_DAYS), user=staff)
    for number, category, user, org, day in [
        (1, "senior", alice, mfs, days_ago(100)),
        (2, "young", bruno, mfs, days_ago(40)),
        (3, "senior", alice, mfs, days_ago(10)),
        (5, "young", claire, ccas, days_ago(15)),
    ]:
        booklet_hand_out(organisation=org, order_id=order.pk, number=number, category=category, user=user, day=day)

    def spend(*sequences):
        codes = [Voucher.objects.get(order=order, sequence=s).code for s in sequences]
        return redemption_create(provider=provider, place=place, offer=offer, codes=codes, user=cashier).redemption

    spend(1, 2)
    spend(11)
    cancelled = spend(12)
    redemption_cancel(redemption=cancelled, user=cashier, reason="Erreur de saisie")
    spend(41, 42, 43)
    return {"mfs": mfs, "ccas": ccas, "alice": alice, "bruno": bruno, "claire": claire, "order": order}


def uses_handed_out_by(organisation):
    """Vouchers used (standing uses) whose booklet the organisation handed out, counted in the ORM."""
    n = 0
    for handout in Handout.objects.filter(organisation=organisation).select_related("shipped__booklet"):
        booklet = handout.shipped.booklet
        n += RedemptionLine.objects.filter(
            is_cancelled=False,
            voucher__order_id=booklet.order_id,
            voucher__sequence__gte=booklet.first_sequence,
            voucher__sequence__lt=booklet.first_sequence + booklet.size,
        ).count()
    return n


@pytest.mark.parametrize("refreshed", [False, True])
def test_figures_agree_with_the_orm(hands, refreshed):
    if refreshed:  # the same figures from the live tail and from the rollups
        usage_refresh()
    mfs = hands["mfs"]
    report = distributor_report(mfs)
    figure = lambda key: report.figure(key).value  # noqa: E731

    received = ShippedBooklet.objects.filter(shipment__recipient=mfs).count()
    handed = Handout.objects.filter(organisation=mfs)
    assert figure("received") == received == 4
    assert figure("in_stock") == received - handed.count() == 1
    assert figure("dormant") == 1  # booklet 4, received 120 days ago
    assert figure("booklets_out") == handed.count() == 3
    assert figure("vouchers_out") == handed.aggregate(n=Sum("shipped__booklet__size"))["n"] == 30
    assert figure("used") == uses_handed_out_by(mfs) == 3
    assert figure("used_cents") == 3 * hands["order"].face_value_cents
    assert figure("usage_rate") == Decimal("0.1")
    assert figure("median_delay") == 100  # uses today of booklets handed out 100 and 40 days ago: 40, 100, 100

    publics = {row[0]: row[1:] for row in report.breakdown("publics").rows}
    orm = dict(handed.values_list("category").annotate(n=Count("pk")))
    assert publics["Senior"][0] == orm["senior"] == 2 and publics["Jeune"][0] == orm["young"] == 1
    assert publics["Senior"][2] == 2 and publics["Jeune"][2] == 1  # vouchers 1, 2 (booklet 1); 11 (booklet 2)
    members = {row[0]: row[1:] for row in report.breakdown("members").rows}
    assert members == {"Alice Martin": (2, 20), "Bruno Petit": (1, 10)}
    shipments = report.breakdown("shipments").rows
    assert [(row[4], row[5], row[6]) for row in shipments] == [(4, 3, 1)]
    dormant = report.breakdown("dormant").rows
    assert [(row[3], row[4]) for row in dormant] == [(1, "4")]
    months = report.breakdown("months").rows
    assert (sum(row[1] for row in months), sum(row[2] for row in months)) == (30, 3)
    by_month = report.breakdown("months_member")
    assert sum(row[-1] for row in by_month.rows) == 3
    assert [c.label for c in by_month.columns] == ["Mois", "Alice Martin", "Bruno Petit", "Total"]


def test_a_distributor_sees_only_what_it_handled(hands):
    report = distributor_report(hands["ccas"])
    figure = lambda key: report.figure(key).value  # noqa: E731
    assert figure("received") == 4 and figure("booklets_out") == 1 and figure("vouchers_out") == 10
    assert figure("used") == uses_handed_out_by(hands["ccas"]) == 3
    assert figure("in_stock") == 3
    # Booklets 7-8 arrived exactly DORMANT_DAYS ago: dormant; booklet 6 (20 days) is not.
    assert figure("dormant") == 2
    assert [row[4] for row in report.breakdown("dormant").rows] == ["7 à 8"]
    everything = repr(report)
    assert "Alice Martin" not in everything and "Bruno Petit" not in everything
    assert {row[0] for row in report.breakdown("members").rows} == {"Claire Roux"}


def test_the_period_bounds_handouts_and_uses(hands):
    report = distributor_report(hands["mfs"], period(days_ago(50), days_ago(1)))
    assert report.figure("booklets_out").value == 2  # booklets 2 and 3
    assert report.figure("used").value == 0  # every use was today
    # The rate follows the vouchers handed out in the period (booklets 2 and 3, 20 vouchers) and
    # used since, today included: voucher 11.
    assert report.figure("usage_rate").value == Decimal("0.0500")
    assert report.figure("in_stock").value == 1  # stock is now, whatever the period
    empty = distributor_report(hands["mfs"], period(days_ago(5), days_ago(1)))
    assert empty.figure("usage_rate").value is None and empty.figure("median_delay").value is None


def test_stock_leaves_out_expired_and_stopped_booklets_and_shows_them_apart(hands, funder, staff):
    mfs = hands["mfs"]
    old = issue(funder, quantity=20)
    PrintRelease.objects.create(order=old, reason="paid", released_by=staff)
    shipment_create(order=old, recipient=mfs, ranges=[(1, 2)], shipped_on=days_ago(DORMANT_DAYS + 10), user=staff)
    # Its validity is over: booklets 1 and 2 of that order can no longer be handed out.
    Order.objects.filter(pk=old.pk).update(
        valid_from=days_ago(200), valid_until=days_ago(1), grace_until=days_ago(1) + datetime.timedelta(days=30)
    )
    # Booklet 4 of the main order declared lost: every voucher in opposition.
    lost = Voucher.objects.filter(order=hands["order"], sequence__range=(31, 40))
    vouchers_stop(vouchers=list(lost), actor=staff, reason="Carnet perdu")
    report = distributor_report(mfs)
    figure = lambda key: report.figure(key).value  # noqa: E731
    assert figure("received") == 6
    assert (figure("in_stock"), figure("out_of_use"), figure("dormant")) == (0, 3, 0)
    rows = {row[3]: (row[4], row[5], row[6], row[7]) for row in report.breakdown("shipments").rows}
    assert rows == {old.pk: (2, 0, 0, 2), hands["order"].pk: (4, 3, 0, 1)}
    assert report.breakdown("dormant").rows == ()
    assert report.breakdown("shipments").summary == "0 carnet en stock sur 6 carnets reçus, 3 carnets hors d'usage."


def test_monthly_charts_split_by_public_and_member_with_every_month_and_named_deliveries(hands):
    report = distributor_report(hands["mfs"], period(days_ago(130), timezone.localdate()))
    by_public = report.breakdown("months_public")
    assert by_public.stacked and by_public.chart == "bar"
    assert [c.label for c in by_public.columns] == ["Mois", "Jeune", "Senior", "Total"]
    # Every month of the period from the first handout (100 days ago) is a row, 0 when none.
    first = days_ago(100).replace(day=1)
    months = []
    while first <= timezone.localdate():
        months.append(first)
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    assert len(by_public.rows) == len(months) >= 4
    assert sum(row[-1] for row in by_public.rows) == 3 and any(row[-1] == 0 for row in by_public.rows)
    assert report.breakdown("months_member").stacked
    (delivery,) = report.breakdown("shipments").rows
    assert delivery[0] == f"Livraison n° {delivery[0].split()[2]} du {days_ago(120).strftime('%d/%m/%Y')}"


def test_a_period_reaching_into_the_future_stops_today_and_an_early_start_skips_empty_years(hands):
    from django.http import QueryDict

    from aptic.reporting.filters import PERIOD_ONLY, parse_filters

    today = timezone.localdate()
    end_of_year = today.replace(month=12, day=31)
    filters = parse_filters(QueryDict(f"du=2000-01-01&au={end_of_year.isoformat()}"), options=PERIOD_ONLY)
    assert filters.end == today and filters.start == datetime.date(2000, 1, 1)
    months = distributor_report(hands["mfs"], filters).breakdown("months").rows
    # From the first handout (100 days ago), not from January 2000.
    assert 4 <= len(months) <= 6
