"""The provider's dashboard as a `Report` (issue #14 item 7, ADR 0041): the services paid with
vouchers at its places over the period, by month, place, service and funder; and where its money
stands now (owed, in a run, sent, paid, next transfer).

Uses come from the usage facts (dimension place_id, over the provider's places); the service
(the offer) is not in the rollups and comes from the redemptions; the money from the payouts."""

import datetime

from django.db.models import Count, Sum
from django.utils import timezone

from aptic.core import formats
from aptic.payouts.selectors import next_payout, provider_balance
from aptic.places.models import Place
from aptic.vouchers.models import Redemption

from .filters import Filters
from .report import Breakdown, Column, Figure, Report, Unit
from .selectors import usage_sets, usage_snapshot
from .tables import month_of, months_between, names, series_start, summed

MEASURES = ("services", "used", "used_cents")
USE_COLUMNS = (
    Column("services", "Services payés", Unit.COUNT),
    Column("used", "Chèques acceptés", Unit.COUNT),
    Column("used_cents", "Valeur des chèques", Unit.CENTS),
)


def _row(measures: dict) -> tuple:
    return tuple(measures[name] for name in MEASURES)


def _offers(organisation, filters: Filters) -> tuple:
    """(service, place, services, vouchers, value) of the redemptions that stand, by offer."""
    redemptions = Redemption.objects.filter(
        provider=organisation,
        cancelled_at__isnull=True,
        created_at__lt=_midnight(filters.end + datetime.timedelta(days=1)),
    )
    if filters.start is not None:
        redemptions = redemptions.filter(created_at__gte=_midnight(filters.start))
    rows = (
        redemptions.values("offer_id", "offer__title", "place__name")
        .annotate(services=Count("pk"), used=Sum("voucher_count"), used_cents=Sum("covered_cents"))
        .order_by("-services", "offer__title", "offer_id")
    )
    return tuple(
        (row["offer__title"], row["place__name"], row["services"], row["used"], row["used_cents"]) for row in rows
    )


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


@usage_snapshot()
def provider_report(organisation, filters: Filters | None = None, *, today: datetime.date | None = None) -> Report:
    """The provider's report over the period of `filters` (since the start by default)."""
    filters = filters or Filters()
    places = dict(Place.objects.filter(provider=organisation).values_list("pk", "name"))
    scope = {"place_id__in": list(places), **filters.lookups()}

    by_place, by_funder, by_day = ([], [], [])
    if places:
        by_place, by_funder, by_day = usage_sets(("place_id",), ("funder_id",), ("day",), **scope)
    totals = {name: sum(row[name] for row in by_place) for name in (*MEASURES, "on_top_cents")}
    funders = names("funder_id", [row["funder_id"] for row in by_funder])
    months = summed(by_day, lambda row: month_of(row["day"]), MEASURES)
    first = series_start(filters.start, filters.end, months)
    balance = provider_balance(organisation)
    upcoming = next_payout(organisation, today)

    figures = (
        Figure("services", "Services payés avec des chèques", totals["services"], help="Sur la période."),
        Figure("used", "Chèques acceptés", totals["used"], help="Sur la période."),
        Figure("used_cents", "Valeur des chèques acceptés", totals["used_cents"], Unit.CENTS),
        Figure(
            "on_top_cents",
            "Payé en plus par les bénéficiaires",
            totals["on_top_cents"],
            Unit.CENTS,
            help="Prix des services moins la valeur des chèques, sur la période.",
        ),
        Figure(
            "owed_cents",
            "Dû, pas encore dans un virement",
            balance.owed_cents,
            Unit.CENTS,
            help=f"À ce jour : {formats.count(balance.owed_count, 'chèque')} encaissés et pas encore remboursés.",
        ),
        Figure(
            "in_run_cents",
            "Dans un virement en préparation",
            balance.in_run_cents,
            Unit.CENTS,
            help=f"À ce jour : {formats.count(balance.in_run_count, 'chèque')}.",
        ),
        Figure(
            "sent_cents",
            "Viré, en attente de confirmation",
            balance.sent_cents,
            Unit.CENTS,
            help="Transmis à la banque, abonnement déduit.",
        ),
        Figure("paid_cents", "Payé", balance.paid_cents, Unit.CENTS, help="Depuis le début, abonnement déduit."),
        Figure(
            "next_payout",
            "Prochain virement",
            upcoming.day if upcoming.day else "En préparation",
            Unit.DATE if upcoming.day else Unit.TEXT,
            help=upcoming.note,
        ),
    )
    breakdowns = (
        Breakdown(
            key="months",
            title="Services payés avec des chèques par mois",
            columns=(Column("month", "Mois", Unit.MONTH), *USE_COLUMNS),
            rows=tuple((m, *_row(months[m])) for m in months_between(first, filters.end)),
            summary=(
                f"{formats.count(totals['services'], 'service')} {formats.plural(totals['services'], 'payé')} "
                f"avec {formats.count(totals['used'], 'chèque')} sur la période."
            ),
            chart="line",
            value_key="services",
        ),
        Breakdown(
            key="places",
            title="Par lieu",
            columns=(Column("place", "Lieu"), *USE_COLUMNS),
            rows=tuple(
                sorted(((places[row["place_id"]], *_row(row)) for row in by_place), key=lambda r: (-r[1], r[0]))
            ),
            summary="Les services payés avec des chèques, lieu par lieu.",
            value_key="services",
        ),
        Breakdown(
            key="services",
            title="Par service",
            columns=(Column("service", "Service"), Column("place", "Lieu"), *USE_COLUMNS),
            rows=_offers(organisation, filters),
            summary="Les services payés avec des chèques, hors encaissements annulés.",
            value_key="services",
        ),
        Breakdown(
            key="funders",
            title="Par commanditaire des chèques",
            columns=(Column("funder", "Commanditaire"), *USE_COLUMNS),
            rows=tuple(
                sorted(
                    ((funders.get(row["funder_id"], "—"), *_row(row)) for row in by_funder),
                    key=lambda r: (-r[2], r[0]),
                )
            ),
            summary=(
                "Les chèques acceptés selon qui les a financés ; un service payé avec les chèques de "
                "plusieurs commanditaires compte chez celui de son premier chèque."
            ),
            value_key="used",
        ),
    )
    return Report(
        title="Tableau de bord de la structure",
        organisation=organisation.name,
        filters=filters.lines(),
        figures=figures,
        breakdowns=breakdowns,
        generated_at=timezone.now(),
    )
