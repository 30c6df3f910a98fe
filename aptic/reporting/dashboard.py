"""The funder's dashboard (issue #14 item 2, ADR 0038): its figures and breakdowns as a `Report`,
under the filters of its URL.

Uses (and their value, services, paid on top, delay) are narrowed by every filter. Handouts,
expiries and stops have no place: the filters on where vouchers were used (commune, EPCI,
département, category, typology) do not narrow them, and shipments have no public either. Bought
and sent to print are the vouchers of the orders (ticked, or all) issued within the period. The usage
figures come from `selectors.usage` (rollups plus the live tail): a use counts as soon as it is
committed."""

import datetime

from django.utils import timezone

from aptic.vouchers.models import Order

from .cohort import RATE_HANDED_HELP, handed_out_then_used, used_of_orders
from .filters import FilterOptions, Filters, filter_options
from .models import MEASURES
from .report import Breakdown, Column, Figure, Report, Unit
from .selectors import median_delay, usage, usage_sets, usage_snapshot
from .tables import (
    NOT_STATED,
    best_rate_summary,
    month_of,
    months_between,
    names,
    peak_summary,
    per,
    rate,
    series_start,
    share_summary,
    summed,
    week_of,
    weeks_between,
)

TOP_PLACES = 10
WEEKS = 26  # the weekly series shows the period's last 26 weeks; the monthly one the whole period
USED = Column("used", "Chèques utilisés", Unit.COUNT)
VALUE = Column("used_cents", "Valeur utilisée", Unit.CENTS)
HANDED = Column("handed_out", "Chèques remis", Unit.COUNT)
RATE = Column("rate", "Taux d'utilisation", Unit.RATE)
USE_MEASURES = ("used", "used_cents", "services", "price_cents", "on_top_cents")
LIFE_MEASURES = ("handed_out", "expired", "stopped")
PLACES = ("place_id", "category_id", "typology_id", "commune", "epci")
HANDERS = ("distributor_id", "public")


def _total(rows, names_=MEASURES) -> dict:
    return summed(rows, lambda _: (), names_)[()]


def _bought(funder, filters: Filters) -> tuple[int, int, list[int]]:
    """(bought, released, order ids): the vouchers of the funder's orders issued within the period,
    those of them released to the printer (the print is ordered: shipments follow it), and the
    orders."""
    orders = Order.objects.filter(funder=funder, issued_at__isnull=False, issued_at__date__lte=filters.end)
    if filters.start:
        orders = orders.filter(issued_at__date__gte=filters.start)
    if filters.orders:
        orders = orders.filter(pk__in=filters.orders)
    quantities = dict(orders.values_list("pk", "quantity"))
    released = orders.filter(print_release__isnull=False).values_list("quantity", flat=True)
    return sum(quantities.values()), sum(released), list(quantities)


class Measures:
    """The usage rows a report needs, read once each: by day (figures and time series), by place
    and category (categories, places, communes, EPCIs, typologies), by distributor and public. Uses
    under every filter; handouts, expiries and stops without the place filters (the same rows when
    no such filter is set); shipments without the public either."""

    def __init__(self, scope: dict, filters: Filters):
        uses = {**scope, **filters.lookups()}
        life = {**scope, **filters.lookups(places=False)}
        self.uses, self.life = uses, life
        # The queries under the same filters read together: one statement per rollup (ADR 0061).
        asked = [("day",), PLACES, HANDERS, ("delay_days",)]
        # Since the start and up to today, the uses of the period are all of them: the vouchers of
        # the orders used so far (the rate of the vouchers bought) are among the same rows (ADR 0061).
        whole = filters.start is None and filters.end >= timezone.localdate()
        asked += [("order_id",)] if whole else []
        found = usage_sets(*asked, **uses)
        self.days, self.places, self.handers, delays = found[:4]
        self.median = median_delay(delays)
        self.by_order = found[4] if whole else None
        self.life_days, self.life_handers = self.days, self.handers
        if life != uses:
            self.life_days, self.life_handers = usage_sets(("day",), HANDERS, **life)
        shipped = {**scope, **filters.lookups(places=False, publics=False)}
        self.shipped = _total(self.life_days)["shipped"] if shipped == life else _total(usage(**shipped))["shipped"]
        # The vouchers handed out within the period and used since (the rates' numerator).
        self.cohort = handed_out_then_used(uses, filters.start, filters.end, HANDERS)

    def used_of_orders(self, order_ids) -> int:
        """Vouchers of these orders used so far (the rate of the vouchers bought)."""
        if self.by_order is None:
            return used_of_orders(self.uses, order_ids)
        wanted = set(order_ids)
        return sum(row["used"] for row in self.by_order if row["order_id"] in wanted)

    def cohort_by(self, dimension: str) -> dict:
        found: dict = {}
        for (distributor, public), n in self.cohort.items():
            value = {"distributor_id": distributor, "public": public}[dimension]
            found[value] = found.get(value, 0) + n
        return found

    def totals(self) -> dict:
        found = _total(self.days, USE_MEASURES)
        found.update(_total(self.life_days, LIFE_MEASURES))
        found["shipped"] = self.shipped
        found["cohort_used"] = sum(self.cohort.values())
        return found


def _figures(totals: dict, bought: int, released: int, bought_used: int, median) -> tuple[Figure, ...]:
    used = totals["used"]
    return (
        Figure("bought", "Chèques achetés", bought, help="Des commandes émises sur la période."),
        Figure(
            "printed",
            "Chèques envoyés à l'impression",
            released,
            help="Des commandes achetées sur la période, dont l'impression est lancée.",
        ),
        Figure("shipped", "Chèques expédiés", totals["shipped"]),
        Figure("handed_out", "Chèques remis", totals["handed_out"], help="Aux bénéficiaires, par les aiguilleurs."),
        Figure("used", "Chèques utilisés", used),
        Figure("expired", "Chèques expirés", totals["expired"]),
        Figure("stopped", "Chèques en opposition", totals["stopped"]),
        Figure(
            "rate_handed_out",
            "Taux d'utilisation des chèques remis",
            rate(totals["cohort_used"], totals["handed_out"]),
            Unit.RATE,
            RATE_HANDED_HELP,
        ),
        Figure(
            "rate_bought",
            "Taux d'utilisation des chèques achetés",
            rate(bought_used, bought),
            Unit.RATE,
            "Part des chèques achetés sur la période qui ont été utilisés depuis, à ce jour.",
        ),
        Figure("used_cents", "Valeur utilisée", totals["used_cents"], Unit.CENTS),
        Figure("services", "Services payés", totals["services"]),
        Figure("per_service", "Chèques par service", per(used, totals["services"]), help="En moyenne."),
        Figure(
            "on_top_cents",
            "Payé en plus par les bénéficiaires",
            totals["on_top_cents"],
            Unit.CENTS,
            "Prix des services moins les chèques, quand le prix est connu.",
        ),
        Figure("median_days", "Délai médian de la remise à l'utilisation", median, Unit.DAYS),
    )


def _over_time(m: Measures, filters: Filters) -> tuple[Breakdown, Breakdown]:
    days = [r["day"] for r in m.days + m.life_days]
    end = filters.end
    first = series_start(filters.start, end, days)
    used = summed(m.days, lambda r: month_of(r["day"]), ("used", "used_cents"))
    handed = summed(m.life_days, lambda r: month_of(r["day"]), ("handed_out",))
    months = tuple(
        (month, handed[month]["handed_out"], used[month]["used"], used[month]["used_cents"])
        for month in months_between(first, end)
    )
    by_week = summed(m.days, lambda r: week_of(r["day"]), ("used", "used_cents"))
    handed_week = summed(m.life_days, lambda r: week_of(r["day"]), ("handed_out",))
    weeks = tuple(
        (week, handed_week[week]["handed_out"], by_week[week]["used"], by_week[week]["used_cents"])
        for week in weeks_between(max(first, end - datetime.timedelta(weeks=WEEKS - 1)), end)
    )
    columns = (HANDED, USED, VALUE)
    summary = {"label_index": 0, "value_index": 2, "noun": "chèque utilisé", "plural": "chèques utilisés"}
    return (
        Breakdown(
            key="mois",
            title="Utilisation par mois",
            columns=(Column("month", "Mois", Unit.MONTH), *columns),
            rows=months,
            summary=peak_summary(months, **summary, span=("mois", "mois")),
            chart="line",
            value_key="used",
        ),
        Breakdown(
            key="semaines",
            title=f"Utilisation par semaine ({WEEKS} dernières semaines de la période au plus)",
            columns=(Column("week", "Semaine du", Unit.DATE), *columns),
            rows=weeks,
            summary=peak_summary(weeks, **summary, span=("semaine", "semaines")),
            chart="line",
            value_key="used",
        ),
    )


def _by(rows, dimension: str, *, label: str, key: str, title: str, limit: int | None = None) -> Breakdown:
    totals = summed(rows, lambda r: r[dimension], ("used", "used_cents", "services"))
    # Rows of handouts and expiries only (no place) are not uses: no empty "Non renseigné" row.
    totals = {value: t for value, t in totals.items() if any(t.values())}
    shown = totals
    if limit and len(totals) > limit:
        # Only the names of those shown: the top `limit`, with the ties at the cut (ordered by name).
        cut = sorted((t["used"] for t in totals.values()), reverse=True)[limit - 1]
        shown = {value: t for value, t in totals.items() if t["used"] >= cut}
    named = names(dimension, shown)
    ordered = sorted(shown.items(), key=lambda item: (-item[1]["used"], str(named.get(item[0], ""))))
    total = sum(t["used"] for t in totals.values())
    if limit:
        ordered = ordered[:limit]
    table = tuple((named.get(value) or NOT_STATED, t["used"], t["used_cents"], t["services"]) for value, t in ordered)
    return Breakdown(
        key=key,
        title=title,
        columns=(Column(dimension, label), USED, VALUE, Column("services", "Services payés", Unit.COUNT)),
        rows=table,
        summary=share_summary(
            table, label_index=0, value_index=1, noun="chèque utilisé", plural="chèques utilisés", total=total
        ),
        value_key="used",
    )


def _handers(m: Measures, dimension: str, *, label: str, key: str, title: str, what: str) -> Breakdown:
    used = summed(m.handers, lambda r: r[dimension], ("used", "used_cents"))
    handed = summed(m.life_handers, lambda r: r[dimension], ("handed_out",))
    cohort = m.cohort_by(dimension)
    named = names(dimension, set(used) | set(handed))
    values = sorted(set(used) | set(handed), key=lambda v: (-handed[v]["handed_out"], str(named.get(v, ""))))
    table = tuple(
        (
            named.get(v) or NOT_STATED,
            handed[v]["handed_out"],
            used[v]["used"],
            rate(cohort.get(v, 0), handed[v]["handed_out"]),
            used[v]["used_cents"],
        )
        for v in values
        if handed[v]["handed_out"] or used[v]["used"]
    )
    return Breakdown(
        key=key,
        title=title,
        columns=(Column(dimension, label), HANDED, USED, RATE, VALUE),
        rows=table,
        summary=best_rate_summary(table, label_index=0, rate_index=3, base_index=1, what=what),
        value_key="rate",
    )


def breakdowns(m: Measures, filters: Filters) -> tuple[Breakdown, ...]:
    """Every breakdown of a usage report: over time, where and how vouchers were used, by whom
    they were handed out. Shared by the funder's dashboard and the staff's drill-down."""
    months, weeks = _over_time(m, filters)
    return (
        months,
        weeks,
        _by(m.places, "category_id", label="Catégorie", key="categories", title="Par catégorie de service"),
        _by(
            m.places,
            "place_id",
            label="Lieu",
            key="lieux",
            title=f"Les {TOP_PLACES} lieux les plus utilisés",
            limit=TOP_PLACES,
        ),  # fmt: skip
        _by(m.places, "commune", label="Commune", key="communes", title="Par commune du lieu"),
        _by(m.places, "epci", label="EPCI", key="epci", title="Par EPCI du lieu"),
        _by(m.places, "typology_id", label="Typologie", key="typologies", title="Par typologie de lieu"),
        _handers(m, "public", label="Public", key="publics", title="Par public", what="par public"),
        _handers(
            m,
            "distributor_id",
            label="Aiguilleur",
            key="aiguilleurs",
            title="Par aiguilleur : l'utilisation de ce que chacun a remis",
            what="par aiguilleur",
        ),
    )


def notes(filters: Filters, *, bought: int, totals: dict) -> tuple[str, ...]:
    found = []
    if bought and not (totals["shipped"] or totals["handed_out"] or totals["used"]):
        # A new funder's order on its way (quote accepted, not yet paid or delivered): say why it is empty.
        found.append(
            "Vos chèques ne sont pas encore expédiés ni remis : les chiffres d'utilisation apparaîtront "
            "après leur remise aux bénéficiaires. Chaque commande est suivie dans « Suivi des chèques »."
        )
    if filters.narrows_places:
        found.append(
            "Les chèques remis, expédiés, expirés et en opposition n'ont pas de lieu : les filtres commune, "
            "EPCI, département, catégorie et typologie ne s'appliquent qu'aux utilisations."
        )
    if filters.distributor or filters.public or filters.narrows_places:
        found.append(
            "Achetés et envoyés à l'impression comptent les commandes émises sur la période, sans les autres filtres."
        )
    return tuple(found)


@usage_snapshot()
def funder_report(*, funder, filters: Filters) -> Report:
    """The dashboard of a funder: only its own vouchers (funder_id), under `filters`."""
    m = Measures({"funder_id": funder.pk}, filters)
    bought, released, order_ids = _bought(funder, filters)
    totals = m.totals()
    return Report(
        title="Tableau de bord",
        organisation=funder.name,
        filters=filters.lines(),
        figures=_figures(totals, bought, released, m.used_of_orders(order_ids), m.median),
        breakdowns=breakdowns(m, filters),
        generated_at=timezone.now(),
        notes=notes(filters, bought=bought, totals=totals),
    )


def funder_filter_options(funder) -> FilterOptions:
    """The choices of a funder's filters: its orders, and what its own usage facts hold."""
    return filter_options(scope={"funder_id": funder.pk}, orders=Order.objects.filter(funder=funder))
