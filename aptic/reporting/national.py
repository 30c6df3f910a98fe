"""The staff's national dashboard (issue #14 item 8, ADR 0038): usage across funders, the rate of
each funder and of each département, under a period.

A département's rate follows the vouchers handed out there: those handed out by the distributors
whose address is in the département, and how many of them were used (wherever they were). The
uses made at places of the département are shown beside it."""

from django.utils import timezone

from aptic.accounts.models import Organisation
from aptic.vouchers.models import Order

from .cohort import RATE_HANDED_HELP, handed_out_then_used, used_of_orders
from .filters import Filters
from .report import Breakdown, Column, Figure, Report, Unit
from .selectors import usage_sets, usage_snapshot
from .tables import NOT_STATED, best_rate_summary, names, rate, summed

HANDED = Column("handed_out", "Chèques remis", Unit.COUNT)
USED = Column("used", "Chèques utilisés", Unit.COUNT)
RATE = Column("rate", "Taux d'utilisation", Unit.RATE)
VALUE = Column("used_cents", "Valeur utilisée", Unit.CENTS)


def _bought(filters: Filters) -> tuple[int, list[int]]:
    orders = Order.objects.filter(issued_at__isnull=False, issued_at__date__lte=filters.end)
    if filters.start:
        orders = orders.filter(issued_at__date__gte=filters.start)
    quantities = dict(orders.values_list("pk", "quantity"))
    return sum(quantities.values()), list(quantities)


def _funders(rows, cohort: dict, link) -> Breakdown:
    named = names("funder_id", {r["funder_id"] for r in rows})
    ordered = sorted(rows, key=lambda r: (-r["used"], str(named.get(r["funder_id"], ""))))
    table = tuple(
        (
            named.get(r["funder_id"]) or NOT_STATED,
            r["handed_out"],
            r["used"],
            rate(cohort.get(r["funder_id"], 0), r["handed_out"]),
            r["used_cents"],
        )
        for r in ordered
    )
    return Breakdown(
        key="commanditaires",
        title="Par commanditaire",
        columns=(Column("funder", "Commanditaire"), HANDED, USED, RATE, VALUE),
        rows=table,
        summary=best_rate_summary(table, label_index=0, rate_index=3, base_index=1, what="par commanditaire"),
        value_key="rate",
        links=tuple(link(r["funder_id"]) for r in ordered),
    )


def _departements(by_distributor, cohort: dict, by_place) -> Breakdown:
    seats = dict(
        Organisation.objects.filter(pk__in={r["distributor_id"] for r in by_distributor}).values_list(
            "pk", "commune__departement_id"
        )
    )
    handed = summed(by_distributor, lambda r: seats.get(r["distributor_id"]) or "", ("handed_out", "used"))
    then_used = summed(
        ({"distributor_id": d, "used": n} for d, n in cohort.items()),
        lambda r: seats.get(r["distributor_id"]) or "",
        ("used",),
    )
    there = summed(by_place, lambda r: r["departement"], ("used",))
    codes = (set(handed) | set(there)) - {""}
    named = names("departement", codes)
    table = tuple(
        (
            named.get(code) or code,
            handed[code]["handed_out"],
            handed[code]["used"],
            rate(then_used[code]["used"], handed[code]["handed_out"]),
            there[code]["used"],
        )
        for code in sorted(codes)
    )
    return Breakdown(
        key="departements",
        title="Par département",
        columns=(
            Column("departement", "Département"),
            Column("handed_out", "Chèques remis par ses aiguilleurs", Unit.COUNT),
            Column("used", "Dont utilisés", Unit.COUNT),
            RATE,
            Column("used_here", "Chèques utilisés dans ses lieux", Unit.COUNT),
        ),
        rows=table,
        summary=best_rate_summary(table, label_index=0, rate_index=3, base_index=1, what="par département"),
        value_key="rate",
    )


@usage_snapshot()
def national_report(*, filters: Filters, link=lambda funder_id: "") -> Report:
    """Every funder's figures under the period of `filters`; `link(funder_id)` gives the URL of
    the drill-down into a funder's dashboard (the page's)."""
    lookups = filters.lookups()
    by_funder, by_distributor, by_place = usage_sets(("funder_id",), ("distributor_id",), ("departement",), **lookups)
    totals = summed(by_funder, lambda _: (), ("used", "used_cents", "services", "handed_out"))[()]
    bought, order_ids = _bought(filters)
    cohort = handed_out_then_used(lookups, filters.start, filters.end, ("funder_id", "distributor_id"))
    by_funder_cohort = summed(({"f": k[0], "used": n} for k, n in cohort.items()), lambda r: r["f"], ("used",))
    by_distributor_cohort = summed(({"d": k[1], "used": n} for k, n in cohort.items()), lambda r: r["d"], ("used",))
    return Report(
        title="Tableau de bord national",
        organisation="Équipe #APTIC",
        filters=filters.lines(),
        figures=(
            Figure("funders", "Commanditaires actifs", sum(1 for r in by_funder if r["used"] or r["handed_out"])),
            Figure("bought", "Chèques achetés", bought, help="Des commandes émises sur la période."),
            Figure("handed_out", "Chèques remis", totals["handed_out"]),
            Figure("used", "Chèques utilisés", totals["used"]),
            Figure(
                "rate_handed_out",
                "Taux d'utilisation des chèques remis",
                rate(sum(cohort.values()), totals["handed_out"]),
                Unit.RATE,
                RATE_HANDED_HELP,
            ),
            Figure(
                "rate_bought",
                "Taux d'utilisation des chèques achetés",
                rate(used_of_orders(lookups, order_ids), bought),
                Unit.RATE,
                "Part des chèques achetés sur la période qui ont été utilisés depuis, à ce jour.",
            ),
            Figure("used_cents", "Valeur utilisée", totals["used_cents"], Unit.CENTS),
            Figure("services", "Services payés", totals["services"]),
        ),
        breakdowns=(
            _funders(by_funder, {k: v["used"] for k, v in by_funder_cohort.items()}, link),
            _departements(by_distributor, {k: v["used"] for k, v in by_distributor_cohort.items()}, by_place),
        ),
        generated_at=timezone.now(),
    )
