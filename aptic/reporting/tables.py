"""Building blocks of the dashboards' figures and breakdowns, shared by every role's report: rates,
the names behind the dimensions' ids, time buckets and the one-sentence summaries of the charts."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from aptic.accounts.models import Organisation
from aptic.core import formats
from aptic.distribution.models import BeneficiaryCategory
from aptic.places.models import Place
from aptic.territories.models import Commune, Departement, Epci
from aptic.vocabulary.models import PlaceTypology, ServiceCategory

NOT_STATED = "Non renseigné"


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a Decimal, not rounded: the page and the files round it once, as
    they show it (rounding here first read 3,180 / 21,860 = 14.547 % as 14,6 %); None over nothing."""
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


def per(numerator: int, denominator: int) -> Decimal | None:
    """An average to one decimal (vouchers per service: 2.5), None over nothing."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def names(dimension: str, values) -> dict:
    """{value: the name people read} for the values of a usage dimension."""
    values = {v for v in values if v not in ("", 0, None)}
    if dimension == "public":
        return {k: v for k, v in BeneficiaryCategory.choices if k in values}
    model, field = {
        "category_id": (ServiceCategory, "label"),
        "typology_id": (PlaceTypology, "label"),
        "place_id": (Place, "name"),
        "commune": (Commune, "name"),
        "epci": (Epci, "name"),
        "distributor_id": (Organisation, "name"),
        "funder_id": (Organisation, "name"),
    }.get(dimension, (None, None))
    if dimension == "departement":
        return {d.pk: str(d) for d in Departement.objects.filter(pk__in=values)}
    if model is None:
        raise ValueError(f"no names for {dimension!r}")
    return dict(model.objects.filter(pk__in=values).values_list("pk", field))


def summed(rows, key, measures) -> dict:
    """{key(row): {measure: sum}} over usage rows."""
    totals = defaultdict(lambda: dict.fromkeys(measures, 0))
    for row in rows:
        into = totals[key(row)]
        for name in measures:
            into[name] += row.get(name, 0)
    return totals


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the day's week."""
    return day - datetime.timedelta(days=day.weekday())


def series_start(start: datetime.date | None, end: datetime.date, days) -> datetime.date:
    """The first day of a time series: the period's start, or the viewer's first activity (the
    earliest of `days`) when later, so that a period from 2000 does not draw decades of zeros;
    the end when there is no activity at all."""
    first = min(days, default=None)
    if first is None:
        return end
    return max(start, first) if start else first


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    found, month = [], month_of(first)
    while month <= last:
        found.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return found


def weeks_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    found, week = [], week_of(first)
    while week <= last:
        found.append(week)
        week += datetime.timedelta(days=7)
    return found


def share_summary(
    rows, *, label_index: int, value_index: int, noun: str, plural: str | None = None, total: int | None = None
) -> str:
    """'Initiation rassemble 45,7 % des chèques utilisés (1 500 sur 3 282).' for the largest row;
    `total`: the whole the rows are part of, when they are only the first ones (a top 10)."""
    values = [(row[value_index] or 0, row[label_index]) for row in rows]
    if total is None:
        total = sum(v for v, _ in values)
    if total <= 0:
        return f"Aucun {noun} dans cette vue."
    best, label = max(values, key=lambda pair: pair[0])
    many = plural or noun + "s"
    return (
        f"{label} rassemble {formats.percent(rate(best, total))} des {many} "
        f"({formats.number(best)} sur {formats.number(total)})."
    )


def peak_summary(
    rows, *, label_index: int, value_index: int, noun: str, plural: str | None = None, span=("période", "périodes")
) -> str:
    """'Le plus haut : mars 2026, 340 chèques utilisés ; 2 815 en tout sur 12 mois.' for a series
    (`span`: the singular and plural of its steps)."""
    values = [(row[value_index] or 0, row[label_index]) for row in rows]
    total = sum(v for v, _ in values)
    if total <= 0:
        return f"Aucun {noun} sur la période."
    best, label = max(values, key=lambda pair: pair[0])
    if isinstance(label, datetime.date):
        label = formats.month(label) if span[0] == "mois" else f"semaine du {formats.date(label)}"
    return (
        f"Le plus haut : {label}, {formats.count(best, noun, plural)} ; "
        f"{formats.number(total)} en tout sur {formats.count(len(values), *span)}."
    )


def best_rate_summary(rows, *, label_index: int, rate_index: int, what: str, base_index: int | None = None) -> str:
    """'Le meilleur taux d'utilisation par public : Senior, 56,2 % (sur 1 200 chèques remis).': the
    highest rate, and among equal rates the one over the most vouchers (`base_index`)."""
    rated = [
        (row[rate_index], row[base_index] if base_index is not None else 0, row[label_index])
        for row in rows
        if row[rate_index] is not None
    ]
    if not rated:
        return f"Aucun taux d'utilisation calculable {what}."
    best, base, label = max(rated, key=lambda item: (item[0], item[1]))
    if best <= 0:  # naming a row "best at 0 %" would single out one of many equals
        return f"Taux d'utilisation {what} : aucun des chèques remis sur la période n'a encore été utilisé."
    over = f" (sur {formats.count(base, 'chèque remis', 'chèques remis')})" if base_index is not None else ""
    return f"Le meilleur taux d'utilisation {what} : {label}, {formats.percent(best)}{over}."
