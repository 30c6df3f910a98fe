"""The usage rate of the dashboards (ADR 0038, 0041): of the vouchers handed out within the period,
the share used so far. Uses and handouts of the same vouchers, so it never exceeds 100 %, even on
a short period whose uses come from vouchers handed out before it.

A use's handout day is its day minus its delay (delay_days, known when the voucher was recorded as
handed out; the uses of vouchers never recorded as handed out have none and are not counted)."""

import datetime

from django.utils import timezone

from .selectors import usage

RATE_HANDED_HELP = (
    "Part des chèques remis sur la période qui ont été utilisés depuis, à ce jour "
    "(les utilisations de chèques remis avant la période n'y entrent pas)."
)


def handed_out_then_used(
    lookups: dict, start: datetime.date | None, end: datetime.date, group_by=(), *, today=None
) -> dict:
    """{group (tuple of the group_by values): vouchers handed out between start (None: since the
    beginning) and end, and used since, up to today}, for the usage `lookups` (their day bounds are
    replaced by the handout's)."""
    today = today or timezone.localdate()
    group_by = tuple(group_by)
    lookups = {k: v for k, v in lookups.items() if not k.startswith("day__")}
    if start is None and end >= today:  # every handout up to now: no need to read the days
        rows = usage(group_by=group_by, delay_days__gte=0, **lookups)
        return {tuple(r[name] for name in group_by): r["used"] for r in rows}
    if start is not None:
        lookups["day__gte"] = start  # a use comes after its handout
    found: dict = {}
    for r in usage(group_by=(*group_by, "day", "delay_days"), delay_days__gte=0, **lookups):
        handed_on = r["day"] - datetime.timedelta(days=r["delay_days"])
        if (start is None or handed_on >= start) and handed_on <= end:
            key = tuple(r[name] for name in group_by)
            found[key] = found.get(key, 0) + r["used"]
    return found


def used_of_orders(lookups: dict, order_ids) -> int:
    """Vouchers of these orders used so far (any day), under the other `lookups`."""
    if not order_ids:
        return 0
    lookups = {k: v for k, v in lookups.items() if not k.startswith("day__") and not k.startswith("order_id")}
    return sum(r["used"] for r in usage(order_id__in=list(order_ids), **lookups))
