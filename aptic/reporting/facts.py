"""What each source table contributes to the usage rollups, for a range of its ids.

One function per source returns {dimensions tuple: {measure: value}}; the refresh folds it into
UsageDaily, the selectors add it to the rollups as the live tail. The grouping is done by the
database where it can (expiries and stops of a whole order collapse to a few rows); the days are
local dates (TruncDate uses the current time zone on both backends)."""

from collections import defaultdict

from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce, TruncDate

from aptic.distribution.models import Handout, ShippedBooklet
from aptic.places.models import Place
from aptic.vouchers.models import RedemptionLine, VoucherEvent, VoucherStatus

from .models import MEASURES, NO_DELAY

S = VoucherStatus
SPENT = (S.REDEEMED, S.REIMBURSED)


def _range(queryset, lo: int, hi: int | None):
    queryset = queryset.filter(pk__gt=lo)
    return queryset if hi is None else queryset.filter(pk__lte=hi)


def _booklet_of(voucher_path: str) -> dict:
    """Lookups of the voucher's booklet from a correlated subquery (no foreign key links them: a
    booklet is a range of its order's sequences)."""
    number = ExpressionWrapper(
        (OuterRef(f"{voucher_path}sequence") - 1) / OuterRef(f"{voucher_path}order__booklet_size") + 1,
        output_field=IntegerField(),
    )
    return {"booklet__order_id": OuterRef(f"{voucher_path}order_id"), "booklet__number": number}


def _add(facts, key, **measures):
    row = facts[key]
    for name, value in measures.items():
        row[name] += value


def _new_facts():
    return defaultdict(lambda: dict.fromkeys(MEASURES, 0))


def voucher_event_facts(lo: int, hi: int | None) -> dict:
    """Uses and their cancellations, expiries, stops and their lifting."""
    shipped = ShippedBooklet.objects.filter(**_booklet_of("voucher__"))
    handout = Handout.objects.filter(**{f"shipped__{k}": v for k, v in _booklet_of("voucher__").items()})
    first_voucher = RedemptionLine.objects.filter(redemption=OuterRef("redemption_id")).order_by("voucher_id")
    typology = Place.typologies.through.objects.filter(place_id=OuterRef("redemption__place_id")).order_by(
        "placetypology__position", "placetypology_id"
    )
    events = (
        _range(VoucherEvent.objects.all(), lo, hi)
        .filter(
            Q(to_status__in=[S.REDEEMED, S.EXPIRED, S.STOPPED])
            | Q(from_status=S.STOPPED)
            | Q(from_status=S.REDEEMED, to_status__in=[S.ISSUED, S.ACTIVE])
        )
        .annotate(
            first_voucher=Subquery(first_voucher.values("voucher_id")[:1]),
            handed_on=Subquery(handout.values("handed_out_on")[:1]),
        )
        .values(
            "from_status",
            "to_status",
            "redemption_id",
            day=TruncDate("created_at"),
            use_day=TruncDate("redemption__created_at"),
            funder=F("voucher__order__funder_id"),
            order=F("voucher__order_id"),
            face=F("voucher__order__face_value_cents"),
            place=F("redemption__place_id"),
            category=F("redemption__offer__category_id"),
            typology=Subquery(typology.values("placetypology_id")[:1]),
            commune=F("redemption__place__commune_id"),
            epci=F("redemption__place__commune__epci_id"),
            departement=F("redemption__place__commune__departement_id"),
            region=F("redemption__place__commune__region_id"),
            distributor=Coalesce(
                Subquery(handout.values("organisation_id")[:1]), Subquery(shipped.values("shipment__recipient_id")[:1])
            ),
            public=Subquery(handout.values("category")[:1]),
            handed_on=F("handed_on"),
            price=F("redemption__price_cents"),
            on_top=F("redemption__remainder_cents"),
        )
        .annotate(
            n=Count("pk"),
            firsts=Sum(Case(When(voucher_id=F("first_voucher"), then=1), default=0, output_field=IntegerField())),
        )
        .order_by()
    )
    facts = _new_facts()
    for e in events:
        frm, to = e["from_status"], e["to_status"]
        if to == S.REDEEMED or frm == S.REDEEMED:
            # A use, or its cancellation (-1): both on the day and at the place of the use.
            sign = 1 if to == S.REDEEMED else -1
            delay = (e["use_day"] - e["handed_on"]).days if e["handed_on"] else NO_DELAY
            key = (
                e["use_day"],
                e["funder"],
                e["order"],
                e["place"] or 0,
                e["category"] or 0,
                e["typology"] or 0,
                e["commune"] or "",
                e["epci"] or "",
                e["departement"] or "",
                e["region"] or "",
                e["distributor"] or 0,
                e["public"] or "",
                delay,
            )
            _add(
                facts,
                key,
                used=sign * e["n"],
                used_cents=sign * e["n"] * e["face"],
                services=sign * e["firsts"],
                price_cents=sign * e["firsts"] * e["price"],
                on_top_cents=sign * e["firsts"] * e["on_top"],
            )
            continue
        key = (e["day"], e["funder"], e["order"], 0, 0, 0, "", "", "", "", e["distributor"] or 0, e["public"] or "")
        key += (NO_DELAY,)
        stopped = (to == S.STOPPED) - (frm == S.STOPPED)
        _add(facts, key, expired=e["n"] if to == S.EXPIRED else 0, stopped=stopped * e["n"])
    return facts


def handout_facts(lo: int, hi: int | None) -> dict:
    rows = (
        _range(Handout.objects.all(), lo, hi)
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


def shipped_booklet_facts(lo: int, hi: int | None) -> dict:
    rows = (
        _range(ShippedBooklet.objects.all(), lo, hi)
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
