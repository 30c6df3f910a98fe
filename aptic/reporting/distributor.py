"""The distributor's dashboard as a `Report` (issue #14 item 6, ADR 0041): its stock per shipment
(now), and what it handed out and what became of it over the period.

Vouchers handed out and used come from the usage facts (dimension distributor_id); booklets, their
shipments and the member who recorded each handout are not in the rollups and come from the
distribution tables."""

import datetime
from collections import defaultdict

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from aptic.accounts.models import User
from aptic.core import formats
from aptic.distribution.models import BeneficiaryCategory, Handout, ShippedBooklet
from aptic.distribution.selectors import shipments_received
from aptic.vouchers.models import Voucher, VoucherStatus

from .cohort import RATE_HANDED_HELP, handed_out_then_used
from .filters import Filters
from .report import Breakdown, Column, Figure, Report, Unit
from .selectors import usage, usage_median_delay, usage_snapshot
from .tables import month_of, months_between, rate, series_start, summed

# A booklet received this long ago and still not handed out is dormant stock (ADR 0041).
DORMANT_DAYS = 90


def _public_label(code: str) -> str:
    try:
        return BeneficiaryCategory(code).label
    except ValueError:  # a code retired since: shown as it was recorded
        return code


def _delivery(shipment) -> str:
    """'Livraison n° 4 du 12/03/2026': the name a bar of the stock chart reads."""
    day = f" du {formats.date(shipment.shipped_on)}" if shipment.shipped_on else ""
    return f"Livraison n° {shipment.pk}{day}"


def _ranges(numbers) -> str:
    """[1, 2, 3, 7] → "1 à 3, 7": booklet numbers as a distributor looks them up."""
    spans, numbers = [], sorted(numbers)
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a} à {b}" for a, b in spans)


def _shipments(organisation, today):
    """Every delivery received, newest first; and per delivery, the booklets not handed out that
    can still be (in stock), those that cannot (out of use: the vouchers' validity is over, or
    every voucher is in opposition, a booklet declared lost) and the numbers of the dormant ones
    (in stock, received at least DORMANT_DAYS ago)."""
    shipments = list(shipments_received(organisation))
    cutoff = today - datetime.timedelta(days=DORMANT_DAYS)
    old = {s.pk for s in shipments if s.shipped_on and s.shipped_on <= cutoff}
    left = list(
        ShippedBooklet.objects.filter(shipment__in=[s.pk for s in shipments], handout__isnull=True).values_list(
            "shipment_id", "booklet__number", "booklet__order_id", "booklet__first_sequence", "booklet__size",
            "booklet__order__valid_until",
        )
    )  # fmt: skip
    live_orders = {order for _, _, order, _, _, until in left if until >= today}
    stopped = defaultdict(set)
    for order_id, sequence in Voucher.objects.filter(
        order_id__in=live_orders, status__in=(VoucherStatus.STOPPED, VoucherStatus.EXPIRED)
    ).values_list("order_id", "sequence"):
        stopped[order_id].add(sequence)
    in_stock, out_of_use, waiting = defaultdict(int), defaultdict(int), defaultdict(list)
    for shipment_id, number, order_id, first, size, until in left:
        dead = stopped[order_id]
        if until < today or all(first + i in dead for i in range(size)):
            out_of_use[shipment_id] += 1
            continue
        in_stock[shipment_id] += 1
        if shipment_id in old:
            waiting[shipment_id].append(number)
    return shipments, in_stock, out_of_use, waiting


def _handouts(organisation, filters: Filters):
    handouts = Handout.objects.filter(organisation=organisation, handed_out_on__lte=filters.end)
    if filters.start is not None:
        handouts = handouts.filter(handed_out_on__gte=filters.start)
    return list(
        handouts.annotate(month=TruncMonth("handed_out_on"))
        .values("month", "category", "recorded_by_id")
        .annotate(booklets=Count("pk"), vouchers=Sum("shipped__booklet__size"))
        .order_by()
    )


def _wide(rows, key, labels, title_key, title, summary, months):
    """Booklets handed out by month (rows: every month of `months`, 0 when none) and by `key`
    (columns, one series each in the stacked chart), with a total column."""
    names = sorted({row[key] for row in rows}, key=lambda value: labels[value])
    table = defaultdict(lambda: defaultdict(int))
    for row in rows:
        table[row["month"]][row[key]] += row["booklets"]
    columns = (
        (Column("month", "Mois", Unit.MONTH),)
        + tuple(Column(f"{title_key}_{i}", labels[name], Unit.COUNT) for i, name in enumerate(names))
        + (Column("total", "Total", Unit.COUNT),)
    )
    body = tuple(
        (month,) + tuple(table[month][name] for name in names) + (sum(table[month].values()),) for month in months
    )
    return Breakdown(
        key=title_key,
        title=title,
        columns=columns,
        rows=body,
        summary=summary,
        chart="bar",
        value_key="total",
        stacked=True,
    )


@usage_snapshot()
def distributor_report(organisation, filters: Filters | None = None, *, today: datetime.date | None = None) -> Report:
    """The distributor's report: stock now (every delivery it received), and over the period of
    `filters` (since the start by default) the booklets and vouchers it handed out, by month,
    member and public, and the use of the vouchers it handed out."""
    filters = filters or Filters()
    today = today or timezone.localdate()
    shipments, stock, out, waiting = _shipments(organisation, today)
    received = sum(s.booklet_count for s in shipments)
    in_stock = sum(stock.values())
    out_of_use = sum(out.values())
    dormant = sum(len(numbers) for numbers in waiting.values())

    scope = {"distributor_id": organisation.pk, **filters.lookups()}
    by_public = {row["public"]: row for row in usage(group_by=["public"], **scope)}
    # What it handed out: the facts with a public; those without are vouchers of booklets it
    # received and did not record as handed out, used all the same.
    handed = {code: row for code, row in by_public.items() if code}
    vouchers_out = sum(row["handed_out"] for row in handed.values())
    used = sum(row["used"] for row in handed.values())
    used_cents = sum(row["used_cents"] for row in handed.values())
    publics = list(handed)
    then_used = handed_out_then_used(scope, filters.start, filters.end, ("public",))
    then_used = {key[0]: n for key, n in then_used.items() if key[0]}
    median = usage_median_delay(public__in=publics, **scope) if publics else None

    handouts = _handouts(organisation, filters)
    booklets_out = sum(row["booklets"] for row in handouts)
    members = {user.pk: str(user) for user in User.objects.filter(pk__in={row["recorded_by_id"] for row in handouts})}

    figures = (
        Figure("received", "Carnets reçus", received, help="Depuis le début, toutes livraisons confondues."),
        Figure(
            "in_stock",
            "Carnets en stock",
            in_stock,
            help="Reçus, pas encore remis et encore valables, à ce jour.",
        ),
        Figure(
            "out_of_use",
            "Carnets hors d'usage",
            out_of_use,
            help="Reçus, pas remis, et dont les chèques ont expiré ou sont en opposition : à ne plus remettre.",
        ),
        Figure(
            "dormant",
            "Carnets dormants",
            dormant,
            help=f"En stock, reçus il y a plus de {DORMANT_DAYS} jours.",
        ),
        Figure("booklets_out", "Carnets remis", booklets_out, help="Sur la période."),
        Figure("vouchers_out", "Chèques remis", vouchers_out, help="Sur la période."),
        Figure("used", "Chèques utilisés", used, help="Chèques que vous avez remis, utilisés sur la période."),
        Figure("used_cents", "Valeur utilisée", used_cents, Unit.CENTS),
        Figure(
            "usage_rate",
            "Taux d'utilisation",
            rate(sum(then_used.values()), vouchers_out),
            Unit.RATE,
            help=RATE_HANDED_HELP,
        ),
        Figure("median_delay", "Délai médian entre remise et utilisation", median, Unit.DAYS),
    )

    days = usage(group_by=["day"], **scope, public__in=publics) if publics else []
    months = summed(days, lambda row: month_of(row["day"]), ("handed_out", "used"))
    first = series_start(filters.start, filters.end, [*months, *(row["month"] for row in handouts)])
    every_month = months_between(first, filters.end)
    month_rows = tuple((m, months[m]["handed_out"], months[m]["used"]) for m in every_month)

    per_public = defaultdict(lambda: [0, 0])
    per_member = defaultdict(lambda: [0, 0])
    for row in handouts:
        per_public[row["category"]][0] += row["booklets"]
        per_public[row["category"]][1] += row["vouchers"]
        per_member[row["recorded_by_id"]][0] += row["booklets"]
        per_member[row["recorded_by_id"]][1] += row["vouchers"]
    public_rows = tuple(
        (
            _public_label(code),
            per_public[code][0],
            handed.get(code, {}).get("handed_out", 0),
            handed.get(code, {}).get("used", 0),
            rate(then_used.get(code, 0), handed.get(code, {}).get("handed_out", 0)),
        )
        for code in sorted(set(per_public) | set(handed), key=_public_label)
    )
    member_rows = tuple(
        (members[pk], booklets, vouchers)
        for pk, (booklets, vouchers) in sorted(per_member.items(), key=lambda item: (-item[1][0], members[item[0]]))
    )

    breakdowns = (
        Breakdown(
            key="shipments",
            title="Stock par livraison reçue",
            columns=(
                Column("shipment", "Livraison"),
                Column("shipped_on", "Reçue le", Unit.DATE),
                Column("funder", "Commanditaire"),
                Column("order", "Commande n°", Unit.COUNT),
                Column("received", "Carnets reçus", Unit.COUNT),
                Column("handed_out", "Carnets remis", Unit.COUNT),
                Column("in_stock", "Carnets en stock", Unit.COUNT),
                Column("out_of_use", "Carnets hors d'usage", Unit.COUNT),
                Column("valid_until", "Chèques valables jusqu'au", Unit.DATE),
            ),
            rows=tuple(
                (
                    _delivery(s),
                    s.shipped_on,
                    s.order.funder.name,
                    s.order_id,
                    s.booklet_count,
                    s.handed_out,
                    stock[s.pk],
                    out[s.pk],
                    s.order.valid_until,
                )
                for s in shipments
            ),
            summary=(
                f"{formats.count(in_stock, 'carnet')} en stock sur {formats.count(received, 'carnet')} reçus"
                + (f", {formats.count(out_of_use, 'carnet')} hors d'usage." if out_of_use else ".")
            ),
            chart="bar",
            value_key="in_stock",
        ),
        Breakdown(
            key="dormant",
            title=f"Stock dormant (reçu il y a plus de {DORMANT_DAYS} jours)",
            columns=(
                Column("shipment", "Livraison n°", Unit.COUNT),
                Column("shipped_on", "Reçue le", Unit.DATE),
                Column("order", "Commande n°", Unit.COUNT),
                Column("dormant", "Carnets dormants", Unit.COUNT),
                Column("numbers", "Carnets n°"),
                Column("valid_until", "Chèques valables jusqu'au", Unit.DATE),
            ),
            rows=tuple(
                (s.pk, s.shipped_on, s.order_id, len(waiting[s.pk]), _ranges(waiting[s.pk]), s.order.valid_until)
                for s in shipments
                if waiting.get(s.pk)
            ),
            summary=(
                f"{formats.count(dormant, 'carnet')} {formats.plural(dormant, 'attend', 'attendent')} "
                f"depuis plus de {DORMANT_DAYS} jours d'être remis."
            ),
            chart="none",
        ),
        Breakdown(
            key="months",
            title="Chèques remis et utilisés par mois",
            columns=(
                Column("month", "Mois", Unit.MONTH),
                Column("handed_out", "Chèques remis", Unit.COUNT),
                Column("used", "Chèques utilisés", Unit.COUNT),
            ),
            rows=month_rows,
            summary=(
                f"{formats.count(vouchers_out, 'chèque')} remis et "
                f"{formats.count(used, 'chèque')} {formats.plural(used, 'utilisé')} sur la période."
            ),
            chart="line",
            value_key="used",
        ),
        _wide(
            handouts,
            "category",
            {row["category"]: _public_label(row["category"]) for row in handouts},
            "months_public",
            "Carnets remis par mois et par public",
            f"{formats.count(booklets_out, 'carnet')} remis sur la période.",
            every_month,
        ),
        _wide(
            handouts,
            "recorded_by_id",
            members,
            "months_member",
            "Carnets remis par mois et par membre",
            f"Les remises de la période, selon le membre qui les a enregistrées "
            f"({formats.count(len(members), 'membre')}).",
            every_month,
        ),
        Breakdown(
            key="publics",
            title="Remises et utilisation par public",
            columns=(
                Column("public", "Public"),
                Column("booklets", "Carnets remis", Unit.COUNT),
                Column("handed_out", "Chèques remis", Unit.COUNT),
                Column("used", "Chèques utilisés", Unit.COUNT),
                Column("usage_rate", "Taux d'utilisation", Unit.RATE),
            ),
            rows=public_rows,
            summary="Pour chaque public, les chèques remis sur la période et ceux utilisés.",
            chart="bar",
            value_key="handed_out",
        ),
        Breakdown(
            key="members",
            title="Remises par membre",
            columns=(
                Column("member", "Membre"),
                Column("booklets", "Carnets remis", Unit.COUNT),
                Column("vouchers", "Chèques remis", Unit.COUNT),
            ),
            rows=member_rows,
            summary="Les carnets remis sur la période, selon le membre qui a enregistré la remise.",
            chart="bar",
            value_key="booklets",
        ),
    )
    return Report(
        title="Tableau de bord de l'aiguilleur",
        organisation=organisation.name,
        filters=filters.lines(),
        figures=figures,
        breakdowns=breakdowns,
        generated_at=timezone.now(),
    )
