"""The provider's dashboard (ADR 0041): each figure agrees with a count made in the ORM, the money
with the payouts, and a provider sees only its own (two providers using one funder's vouchers)."""

import datetime

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from aptic.core.tests.factories import OrganisationFactory
from aptic.payouts import services as payouts
from aptic.payouts.models import Payout, RunKind
from aptic.payouts.tests.conftest import pay  # noqa: F401 (the payouts' world, a fixture)
from aptic.places.models import Offer
from aptic.reporting.filters import Filters
from aptic.reporting.provider import provider_report
from aptic.reporting.services import usage_refresh
from aptic.vouchers.issuance import order_create, order_issue
from aptic.vouchers.models import Redemption, Voucher, VoucherStatus
from aptic.vouchers.redemption import redemption_cancel, redemption_create

pytestmark = pytest.mark.django_db


def period(start, end):
    """The view of chosen dates, as the period filter reads it from the URL."""
    return Filters(period="dates", start=start, end=end)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def two(pay, run_jobs):  # noqa: F811 (pay: the imported fixture)
    """Alpha and Beta accept one funder's vouchers; Alpha also a second funder's. Last month: Alpha
    3 uses, Beta 2; this month Alpha 2 more (one of 2 vouchers of the second funder) and one cancelled."""
    alpha, beta = pay.provider("Fablab Alpha"), pay.provider("Médiathèque Beta", iban_index=1)
    pay.redeem(alpha, 3)
    pay.redeem(beta, 2)
    # This month's uses, whatever the day the tests run (on the 1st, 30 hours ago is last month).
    month_start = timezone.make_aware(datetime.datetime.combine(pay.today.replace(day=1), datetime.time(0, 1)))
    recent = max(timezone.now() - datetime.timedelta(hours=30), month_start)
    pay.redeem(alpha, 1, at=recent)
    other = OrganisationFactory(kind="funder", name="Commune de Saint-Genest")
    order = order_issue(
        order=order_create(
            funder=other,
            quantity=10,
            valid_from=pay.today - datetime.timedelta(days=60),
            valid_until=pay.today + datetime.timedelta(days=30),
            grace_until=pay.today + datetime.timedelta(days=60),
        )
    )
    codes = list(Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)[:2])
    alpha.long = Offer.objects.create(
        place=alpha.place,
        category=pay.category,
        title="Atelier long",
        price_cents=2500,
        duration_minutes=120,
        format="group",
    )
    redemption_create(provider=alpha, place=alpha.place, offer=alpha.long, codes=codes, user=alpha.admin, at=recent)
    cancelled = pay.redeem(alpha, 1, at=timezone.now() - datetime.timedelta(hours=1))[0]
    redemption_cancel(redemption=cancelled, user=alpha.admin, reason="Erreur")
    pay.other_funder = other
    return alpha, beta


def standing(provider):
    return Redemption.objects.filter(provider=provider, cancelled_at__isnull=True)


@pytest.mark.parametrize("refreshed", [False, True])
def test_use_figures_agree_with_the_orm(pay, two, refreshed):  # noqa: F811
    if refreshed:
        usage_refresh()
    alpha, _ = two
    report = provider_report(alpha)
    figure = lambda key: report.figure(key).value  # noqa: E731
    orm = standing(alpha).aggregate(n=Count("pk"), vouchers=Sum("voucher_count"), cents=Sum("covered_cents"))
    assert figure("services") == orm["n"] == 5
    assert figure("used") == orm["vouchers"] == 6
    assert figure("used_cents") == orm["cents"]
    assert figure("on_top_cents") == standing(alpha).aggregate(n=Sum("remainder_cents"))["n"] == 500

    months = {row[0]: row[1:] for row in report.breakdown("months").rows}
    last_month = standing(alpha).filter(created_at__date__lt=pay.today.replace(day=1))
    assert months[pay.month.replace(day=1)] == (
        last_month.count(),
        last_month.aggregate(n=Sum("voucher_count"))["n"],
        last_month.aggregate(n=Sum("covered_cents"))["n"],
    )
    assert months[pay.month.replace(day=1)][0] == 3
    assert sum(row[1] for row in report.breakdown("months").rows) == 5

    places = report.breakdown("places").rows
    assert places == ((alpha.place.name, 5, 6, orm["cents"]),)
    services = report.breakdown("services").rows
    assert services == (
        (alpha.offer.title, alpha.place.name, 4, 4, 4000),
        (alpha.long.title, alpha.place.name, 1, 2, 2000),
    )
    funders = {row[0]: row[1:] for row in report.breakdown("funders").rows}
    assert funders[pay.funder.name][:2] == (4, 4)
    assert funders[pay.other_funder.name][:2] == (1, 2)


def test_a_provider_sees_only_its_own(pay, two):  # noqa: F811
    alpha, beta = two
    report = provider_report(beta)
    assert report.figure("services").value == standing(beta).count() == 2
    assert report.figure("used").value == 2
    assert report.figure("owed_cents").value == 2000
    assert [row[0] for row in report.breakdown("places").rows] == [beta.place.name]
    assert alpha.place.name not in repr(report) and pay.other_funder.name not in repr(report)


def test_the_period_bounds_uses(pay, two):  # noqa: F811
    alpha, _ = two
    start = pay.today.replace(day=1)
    report = provider_report(alpha, period(start, pay.today))
    this_month = standing(alpha).filter(created_at__date__gte=start)
    assert report.figure("services").value == this_month.count()
    assert sum(row[2] for row in report.breakdown("services").rows) == this_month.count() == 2


def test_money_owed_then_in_a_run_then_sent_then_paid(pay, two, run_jobs):  # noqa: F811
    alpha, _ = two

    def money():
        report = provider_report(alpha)
        return {
            k: report.figure(k).value for k in ("owed_cents", "in_run_cents", "sent_cents", "paid_cents", "next_payout")
        }

    first_of_next_month = (pay.today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    owed_all = Voucher.objects.filter(status=VoucherStatus.REDEEMED, redemption_lines__redemption__provider=alpha)
    assert money() == {
        "owed_cents": 6000,
        "in_run_cents": 0,
        "sent_cents": 0,
        "paid_cents": 0,
        "next_payout": first_of_next_month,
    }
    assert owed_all.count() == 6
    with run_jobs():
        run = payouts.run_create(kind=RunKind.MONTHLY, month=pay.month, user=pay.staff)
    report = provider_report(alpha)
    assert (report.figure("owed_cents").value, report.figure("in_run_cents").value) == (3000, 3000)
    assert report.figure("next_payout").value == "En préparation"
    assert run.reference in report.figure("next_payout").help
    run.refresh_from_db()
    payouts.run_approve(run=run, user=pay.staff2)
    with run_jobs():
        payouts.run_export(run=run, user=pay.staff)
    run.refresh_from_db()
    report = provider_report(alpha)
    assert report.figure("sent_cents").value == Payout.objects.get(run=run, provider=alpha).net_cents == 3000
    assert report.figure("next_payout").value == run.execution_date
    payouts.run_mark_paid(run=run, user=pay.staff2)
    values = money()
    assert (values["owed_cents"], values["sent_cents"], values["paid_cents"]) == (3000, 0, 3000)
    assert values["next_payout"] == first_of_next_month
