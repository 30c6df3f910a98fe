"""The funder's operational map (issue #14, ADR 0040): the places where its vouchers are accepted,
those where they were used (sized by the vouchers used there), and the vouchers used per 1,000
inhabitants of each commune, drawn at the commune's centre.

Where vouchers are accepted is the one rule of aptic.vouchers (rules_for, places_for_rules), read
for each of the funder's issued orders; the uses are the usage facts (selectors.usage), under the
same filters as the dashboard."""

import dataclasses
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from aptic.places.models import Place
from aptic.territories.models import Commune
from aptic.vouchers.models import Order
from aptic.vouchers.rules import OrderRules, rules_for
from aptic.vouchers.selectors import places_for_rules

from .filters import Filters
from .report import Figure, MapPoint, Report
from .selectors import usage, usage_snapshot

PER_INHABITANTS = 1000
RATE_DECIMALS = 2  # every rate per 1,000 reads with two decimals: 22,88 beside 44,10
RATE_STEP = Decimal(1).scaleb(-RATE_DECIMALS)
_BATCH = 10_000  # ids bound in one query, as the facts do: within SQLite's limit on parameters

# The usage filters on a use's place, read on a Place row for the places not used yet.
_PLACE_PATHS = {
    "place_id": "pk",
    "commune": "commune_id",
    "epci": "commune__epci_id",
    "departement": "commune__departement_id",
    "region": "commune__region_id",
}
# The usage filters that narrow an order's own rules: its categories of service and place types.
_RULE_NARROWING = {"category_id": "categories", "typology_id": "typologies"}
_ONE_DAY = datetime.timedelta(days=1)


def _wanted(filters: dict, name: str) -> set | None:
    """The values of a dimension the filters allow (exact and `in` lookups), None when unfiltered."""
    wanted = None
    for lookup, value in filters.items():
        field, _, kind = lookup.partition("__")
        if field != name or kind not in ("", "exact", "in"):
            continue
        values = set(value) if kind == "in" else {value}
        wanted = values if wanted is None else wanted & values
    return wanted


def _period(filters: dict) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last day the filters on `day` allow (None: open)."""
    first = last = None
    for lookup, value in filters.items():
        field, _, kind = lookup.partition("__")
        if field != "day":
            continue
        low = {"": value, "exact": value, "gte": value, "gt": value + _ONE_DAY}.get(kind)
        high = {"": value, "exact": value, "lte": value, "lt": value - _ONE_DAY}.get(kind)
        first = low if low is not None and (first is None or low > first) else first
        last = high if high is not None and (last is None or high < last) else last
    return first, last


def _orders(funder, filters: dict):
    """The funder's issued orders the filters keep: chosen ones, accepted at some point of the
    period; a period that reaches today also keeps the orders to come (accepted there soon)."""
    orders = Order.objects.filter(funder=funder, issued_at__isnull=False)
    if (ids := _wanted(filters, "order_id")) is not None:
        orders = orders.filter(pk__in=ids)
    first, last = _period(filters)
    if first is not None:
        orders = orders.filter(grace_until__gte=first)
    if last is not None and last < timezone.localdate():
        orders = orders.filter(valid_from__lte=last)
    return orders


def _narrowed(rules: OrderRules, filters: dict) -> OrderRules | None:
    """The order's rules with the filtered categories and place types as rules of their own (an empty
    rule does not restrict: the filter becomes it); None when the filters leave the order nothing."""
    for name, field in _RULE_NARROWING.items():
        if (wanted := _wanted(filters, name)) is None:
            continue
        allowed = getattr(rules, field)
        kept = frozenset(wanted) & allowed if allowed else frozenset(wanted)
        if not kept:
            return None
        rules = dataclasses.replace(rules, **{field: kept})
    return rules


def eligible_places(*, funder, usage_filters: dict):
    """The public places where vouchers of the funder's orders (those the filters keep) can pay a
    service of the filtered categories, in the filtered territory and place types."""
    where, seen = Q(pk__in=[]), set()
    for rules in rules_for(_orders(funder, usage_filters)).values():
        if (rules := _narrowed(rules, usage_filters)) is None:
            continue
        # Orders with the same rules accept the same places: one subquery for them all.
        key = (rules.communes, rules.epcis, rules.departements, rules.regions, rules.typologies, rules.categories)
        if key in seen:
            continue
        seen.add(key)
        where |= Q(pk__in=places_for_rules(rules).values("pk"))
    places = Place.objects.filter(where)
    for name, path in _PLACE_PATHS.items():
        if (wanted := _wanted(usage_filters, name)) is not None:
            places = places.filter(**{f"{path}__in": wanted})
    return places


def _in_batches(model, ids, fields):
    ids = sorted(ids)
    for start in range(0, len(ids), _BATCH):
        yield from model.objects.filter(pk__in=ids[start : start + _BATCH]).values_list(*fields)


def rate_per_inhabitants(used: int, population: int | None) -> Decimal | None:
    """Vouchers used per 1,000 inhabitants, to the hundredth; None without a known population."""
    if not population:
        return None
    return (Decimal(used) * PER_INHABITANTS / Decimal(population)).quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def funder_map_points(*, funder, usage_filters: dict) -> tuple[MapPoint, ...]:
    """The map of the funder's vouchers under the dashboard's filters (usage lookups: day__gte=…,
    order_id__in=…, category_id=…, commune__in=…): the places where they were used ("place", value =
    vouchers used, most used first), the places where they are accepted and were not used
    ("eligible", by commune), and each commune of a use ("commune", value = vouchers used, with its
    population and the rate per 1,000 inhabitants). Only this funder's uses are counted."""
    used_at, used_in = {}, {}
    for row in usage(group_by=["place_id", "commune"], **{**usage_filters, "funder_id": funder.pk}):
        if row["place_id"] and row["used"] > 0:
            used_at[row["place_id"]] = used_at.get(row["place_id"], 0) + row["used"]
            used_in[row["commune"]] = used_in.get(row["commune"], 0) + row["used"]
    fields = ("pk", "name", "latitude", "longitude", "commune__name")
    used = [
        MapPoint(label=name, latitude=lat, longitude=lng, value=used_at[pk], kind="place", detail=commune)
        for pk, name, lat, lng, commune in _in_batches(Place, used_at, fields)
    ]
    eligible = [
        MapPoint(label=name, latitude=lat, longitude=lng, value=0, kind="eligible", detail=commune)
        for pk, name, lat, lng, commune in eligible_places(funder=funder, usage_filters=usage_filters).values_list(
            *fields
        )
        if pk not in used_at
    ]
    communes = [
        MapPoint(
            label=name,
            latitude=lat,
            longitude=lng,
            value=used_in[code],
            kind="commune",
            population=population,
            rate=rate_per_inhabitants(used_in[code], population),
        )
        for code, name, lat, lng, population in _in_batches(
            Commune, used_in, ("pk", "name", "latitude", "longitude", "population")
        )
    ]
    used.sort(key=lambda p: (-p.value, p.label, p.detail))
    eligible.sort(key=lambda p: (p.detail, p.label))
    communes.sort(key=lambda p: (-p.value, p.label))
    return (*used, *eligible, *communes)


@usage_snapshot()
def funder_map_report(*, funder, filters: Filters) -> Report:
    """The map page as a `Report`: its points, and the counts that sum them up."""
    points = funder_map_points(funder=funder, usage_filters=filters.lookups())
    used = [p for p in points if p.kind == "place"]

    def count(kind):
        return sum(1 for p in points if p.kind == kind)

    notes = ()
    if filters.distributor or filters.public:
        notes = (
            "Les filtres aiguilleur et public ne comptent que les utilisations : où les chèques sont "
            "acceptés n'en dépend pas.",
        )
    return Report(
        title="Carte des utilisations",
        organisation=funder.name,
        filters=filters.lines(),
        figures=(
            Figure("used", "Chèques utilisés", sum(p.value for p in used)),
            Figure("places_used", "Lieux où ils ont été utilisés", len(used)),
            Figure("communes", "Communes où ils ont été utilisés", count("commune")),
            Figure("places_eligible", "Autres lieux où ils sont acceptés", count("eligible")),
        ),
        breakdowns=(),
        generated_at=timezone.now(),
        points=points,
        notes=notes,
    )
