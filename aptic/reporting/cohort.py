"""The usage rate of the dashboards (ADR 0038, 0041): of the vouchers handed out within the period,
the share used so far. Uses and handouts of the same vouchers, so it never exceeds 100 %, even on
a short period whose uses come from vouchers handed out before it.

A use's handout day is its day minus its delay (delay_days, known when the voucher was recorded as
handed out; the uses of vouchers never recorded as handed out have none and are not counted): the
cohort rollups keep the uses by that day (ADR 0055)."""

import datetime

from .selectors import usage, usage_by_handout

RATE_HANDED_HELP = (
    "Part des chèques remis sur la période qui ont été utilisés depuis, à ce jour "
    "(les utilisations de chèques remis avant la période n'y entrent pas)."
)


def handed_out_then_used(lookups: dict, start: datetime.date | None, end: datetime.date, group_by=()) -> dict:
    """{group (tuple of the group_by values): vouchers handed out between start (None: since the
    beginning) and end, and used since}, for the usage `lookups` (their day bounds are replaced by
    the handout's): one read of the cohorts (ADR 0055)."""
    group_by = tuple(group_by)
    lookups = {k: v for k, v in lookups.items() if not k.startswith("day__")} | {"day__lte": end}
    if start is not None:
        lookups["day__gte"] = start
    rows = usage_by_handout(group_by=group_by, **lookups)
    return {tuple(r[name] for name in group_by): r["used"] for r in rows}


def used_of_orders(lookups: dict, order_ids) -> int:
    """Vouchers of these orders used so far (any day), under the other `lookups`."""
    if not order_ids:
        return 0
    lookups = {k: v for k, v in lookups.items() if not k.startswith("day__") and not k.startswith("order_id")}
    return sum(r["used"] for r in usage(order_id__in=list(order_ids), **lookups))
