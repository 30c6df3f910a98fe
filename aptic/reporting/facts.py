"""What each source table contributes to the usage rollups, for a range of its ids.

One function per source returns {dimensions tuple: {measure: value}}; the refresh folds it into
UsageDaily, the selectors add it to the rollups as the live tail. The grouping is done by the
database where it can (expiries and stops of a whole order collapse to a few rows); the days are
local dates (TruncDate uses the current time zone on both backends)."""

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce, TruncDate

from aptic.distribution.models import Handout, ShippedBooklet
from aptic.places.models import Place
from aptic.vouchers.models import RedemptionLine, VoucherEvent, VoucherStatus

from .models import MEASURES, NO_DELAY

S = VoucherStatus
SPENT = (S.REDEEMED, S.REIMBURSED)


@contextmanager
def no_jit():
    """On PostgreSQL, no JIT compilation for the facts' queries: their correlated lookups make the
    planner's estimate high enough to compile them, which took ~1 s for a query running in 0.1 s
    (ADR 0035). The setting lasts until the end of the transaction opened here."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


def _range(queryset, lo: int, hi: int | None, where: dict | None = None):
    queryset = queryset.filter(pk__gt=lo, **(where or {}))
    return queryset if hi is None else queryset.filter(pk__lte=hi)


def _where(filters: dict | None, paths: dict) -> dict:
    """The filters on funder or order as lookups on a source table (the live tail of one funder's
    figures reads that funder's rows only); the selectors still apply every filter afterwards."""
    where = {}
    for lookup, value in (filters or {}).items():
        name, _, kind = lookup.partition("__")
        if name in paths and kind in ("", "exact", "in"):
            where[f"{paths[name]}__{kind or 'exact'}"] = value
    return where


def _add(facts, key, **measures):
    row = facts[key]
    for name, value in measures.items():
        row[name] += value


def _new_facts():
    return defaultdict(lambda: dict.fromkeys(MEASURES, 0))


def _in_batches(ids, query):
    """query(batch) for batches of ids SQLite can take as parameters, the rows chained."""
    ids = sorted(ids)
    for start in range(0, len(ids), 10_000):
        yield from query(ids[start : start + 10_000])


def _booklets(shipped_ids) -> dict:
    """{shipped booklet id: (distributor, public, handout day)}: the handout's organisation and
    public, else the shipment's recipient."""
    rows = _in_batches(
        shipped_ids,
        lambda ids: ShippedBooklet.objects.filter(pk__in=ids).values_list(
            "pk", "shipment__recipient_id", "handout__organisation_id", "handout__category", "handout__handed_out_on"
        ),
    )
    return {pk: (handed_by or recipient, public or "", day) for pk, recipient, handed_by, public, day in rows}


def _typologies(place_ids) -> dict:
    """{place id: its first typology in the vocabulary's order}."""
    rows = _in_batches(
        place_ids,
        lambda ids: (
            Place.typologies.through.objects.filter(place_id__in=ids)
            .order_by("place_id", "-placetypology__position", "-placetypology_id")
            .values_list("place_id", "placetypology_id")
        ),
    )
    return dict(rows)  # the last one of each place wins: the first in the vocabulary's order


def voucher_event_facts(lo: int, hi: int | None, filters: dict | None = None) -> dict:
    """Uses and their cancellations, expiries, stops and their lifting."""
    # No foreign key links a voucher to its booklet (a booklet is a range of its order's sequences):
    # one correlated lookup on the booklet's unique (order, number), the rest by id afterwards.
    number = ExpressionWrapper(
        (OuterRef("voucher__sequence") - 1) / OuterRef("voucher__order__booklet_size") + 1,
        output_field=IntegerField(),
    )
    shipped = ShippedBooklet.objects.filter(booklet__order_id=OuterRef("voucher__order_id"), booklet__number=number)
    first_voucher = RedemptionLine.objects.filter(redemption=OuterRef("redemption_id")).order_by("voucher_id")
    where = _where(filters, {"funder_id": "voucher__order__funder_id", "order_id": "voucher__order_id"})
    events = list(
        _range(VoucherEvent.objects.all(), lo, hi, where)
        .filter(
            Q(to_status__in=[S.REDEEMED, S.EXPIRED, S.STOPPED])
            | Q(from_status=S.STOPPED)
            | Q(from_status=S.REDEEMED, to_status__in=[S.ISSUED, S.ACTIVE])
        )
        .annotate(first_voucher=Subquery(first_voucher.values("voucher_id")[:1]))
        .values(
            "from_status",
            "to_status",
            day=TruncDate("created_at"),
            use_day=TruncDate("redemption__created_at"),
            funder=F("voucher__order__funder_id"),
            order=F("voucher__order_id"),
            face=F("voucher__order__face_value_cents"),
            place=F("redemption__place_id"),
            category=F("redemption__offer__category_id"),
            commune=F("redemption__place__commune_id"),
            epci=F("redemption__place__commune__epci_id"),
            departement=F("redemption__place__commune__departement_id"),
            region=F("redemption__place__commune__region_id"),
            shipped=Subquery(shipped.values("pk")[:1]),
        )
        .annotate(
            n=Count("pk"),
            # A redemption's own figures count on the row of its first voucher only.
            firsts=Sum(Case(When(voucher_id=F("first_voucher"), then=1), default=0, output_field=IntegerField())),
            price=Sum(
                Case(When(voucher_id=F("first_voucher"), then=F("redemption__price_cents")), default=0),
                output_field=IntegerField(),
            ),
            on_top=Sum(
                Case(When(voucher_id=F("first_voucher"), then=F("redemption__remainder_cents")), default=0),
                output_field=IntegerField(),
            ),
        )
        .order_by()
    )
    booklets = _booklets({e["shipped"] for e in events if e["shipped"]})
    typologies = _typologies({e["place"] for e in events if e["place"]})
    facts = _new_facts()
    for e in events:
        distributor, public, handed_on = booklets.get(e["shipped"], (0, "", None))
        frm, to = e["from_status"], e["to_status"]
        if to == S.REDEEMED or frm == S.REDEEMED:
            # A use, or its cancellation (-1): both on the day and at the place of the use.
            sign = 1 if to == S.REDEEMED else -1
            key = (
                e["use_day"],
                e["funder"],
                e["order"],
                e["place"],
                e["category"] or 0,
                typologies.get(e["place"], 0),
                e["commune"],
                e["epci"] or "",
                e["departement"],
                e["region"],
                distributor,
                public,
                (e["use_day"] - handed_on).days if handed_on else NO_DELAY,
            )
            _add(
                facts,
                key,
                used=sign * e["n"],
                used_cents=sign * e["n"] * e["face"],
                services=sign * e["firsts"],
                price_cents=sign * e["price"],
                on_top_cents=sign * e["on_top"],
            )
            continue
        key = (e["day"], e["funder"], e["order"], 0, 0, 0, "", "", "", "", distributor, public, NO_DELAY)
        stopped = (to == S.STOPPED) - (frm == S.STOPPED)
        _add(facts, key, expired=e["n"] if to == S.EXPIRED else 0, stopped=stopped * e["n"])
    return facts


def handout_facts(lo: int, hi: int | None, filters: dict | None = None) -> dict:
    paths = {"funder_id": "shipped__booklet__order__funder_id", "order_id": "shipped__booklet__order_id"}
    where = _where(filters, paths)
    rows = (
        _range(Handout.objects.all(), lo, hi, where)
        .values(
            day=F("handed_out_on"),
            funder=F("shipped__booklet__order__funder_id"),
            order=F("shipped__booklet__order_id"),
            distributor=F("organisation_id"),
            public=F("category"),
        )
        .annotate(vouchers=Sum("shipped__booklet__size"))
        .order_by()
    )
    facts = _new_facts()
    for r in rows:
        key = (r["day"], r["funder"], r["order"], 0, 0, 0, "", "", "", "", r["distributor"], r["public"], NO_DELAY)
        _add(facts, key, handed_out=r["vouchers"])
    return facts


def shipped_booklet_facts(lo: int, hi: int | None, filters: dict | None = None) -> dict:
    where = _where(filters, {"funder_id": "booklet__order__funder_id", "order_id": "booklet__order_id"})
    rows = (
        _range(ShippedBooklet.objects.all(), lo, hi, where)
        .values(
            # A postal mailing has no shipping date until posted: the day it was recorded.
            day=Coalesce(F("shipment__shipped_on"), TruncDate("shipment__created_at")),
            funder=F("booklet__order__funder_id"),
            order=F("booklet__order_id"),
            distributor=F("shipment__recipient_id"),
        )
        .annotate(vouchers=Sum("booklet__size"))
        .order_by()
    )
    facts = _new_facts()
    for r in rows:
        key = (r["day"], r["funder"], r["order"], 0, 0, 0, "", "", "", "", r["distributor"], "", NO_DELAY)
        _add(facts, key, shipped=r["vouchers"])
    return facts


# The source tables, by watermark name.
SOURCES = {
    "voucher_event": (VoucherEvent, voucher_event_facts),
    "handout": (Handout, handout_facts),
    "shipped_booklet": (ShippedBooklet, shipped_booklet_facts),
}
