"""The row-level export of a funder's uses (ADR 0042): one row per redemption and per distributor and
public of the vouchers it took (a beneficiary paying with vouchers from two booklets makes two
rows): date, place, commune, service category, vouchers, value, public, distributor. Nothing
personal: no code, no name of a beneficiary or a cashier, no free text.

The filters are the dashboard's (lookups on the usage dimensions, aptic/reporting/models.py
DIMENSIONS), applied to the source rows with the same meaning as the rollups give them: the day of
the use (local), the place's commune and its EPCI, département, région, the place's first typology,
the handout's distributor (else the shipment's recipient) and public. Uses cancelled are left out,
as the figures leave them out."""

import datetime
from collections.abc import Iterator

from django.db.models import Count, ExpressionWrapper, F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from aptic.accounts.models import Organisation
from aptic.distribution.models import BeneficiaryCategory
from aptic.places.models import Place
from aptic.vouchers.models import Booklet, RedemptionLine

from .cells import euros

HEADER = (
    "Date",
    "Lieu",
    "Commune",
    "Code INSEE",
    "Catégorie de service",
    "Chèques",
    "Valeur (€)",
    "Public",
    "Aiguilleur",
)
WIDTHS = (12, 40, 30, 11, 40, 9, 12, 30, 40)

# Each dimension as a path on RedemptionLine, or as the annotation below that computes it.
PATHS = {
    "day": "day",
    "funder_id": "voucher__order__funder_id",
    "order_id": "voucher__order_id",
    "place_id": "redemption__place_id",
    "category_id": "redemption__offer__category_id",
    "typology_id": "typology",
    "commune": "redemption__place__commune_id",
    "epci": "redemption__place__commune__epci_id",
    "departement": "redemption__place__commune__departement_id",
    "region": "redemption__place__commune__region_id",
    "distributor_id": "distributor",
    "public": "public",
}
LOOKUPS = ("exact", "in", "gt", "gte", "lt", "lte")


def _booklet():
    """The voucher's booklet (no foreign key: a booklet is a range of its order's sequences)."""
    number = ExpressionWrapper(
        (OuterRef("voucher__sequence") - 1) / OuterRef("voucher__order__booklet_size") + 1,
        output_field=IntegerField(),
    )
    return Booklet.objects.filter(order_id=OuterRef("voucher__order_id"), number=number)


def _first_typology():
    through = Place.typologies.through.objects.filter(place_id=OuterRef("redemption__place_id"))
    return through.order_by("placetypology__position", "placetypology_id").values("placetypology_id")[:1]


def _where(filters: dict) -> dict:
    where = {}
    for lookup, value in filters.items():
        name, _, kind = lookup.partition("__")
        if name not in PATHS or (kind or "exact") not in LOOKUPS:
            raise ValueError(f"unknown usage filter {lookup!r}")
        where[f"{PATHS[name]}__{kind or 'exact'}"] = value
    return where


def uses_queryset(filters: dict):
    """The grouped rows as dicts, oldest first. `filters` must hold funder_id: a funder's own rows."""
    if "funder_id" not in filters:
        raise ValueError("a row-level export is one funder's")
    booklet = _booklet()
    lines = RedemptionLine.objects.filter(is_cancelled=False).annotate(
        day=TruncDate("redemption__created_at"),
        distributor=Subquery(
            booklet.values(d=Coalesce("shipped__handout__organisation_id", "shipped__shipment__recipient_id"))[:1]
        ),
        public=Subquery(booklet.values("shipped__handout__category")[:1]),
    )
    if any(lookup.partition("__")[0] == "typology_id" for lookup in filters):
        lines = lines.annotate(typology=Subquery(_first_typology()))
    return (
        lines.filter(**_where(filters))
        .values(
            "redemption_id",
            "day",
            "distributor",
            "public",
            place=F("redemption__place__name"),
            commune=F("redemption__place__commune__name"),
            insee=F("redemption__place__commune_id"),
            category=F("redemption__offer__category__label"),
        )
        .annotate(vouchers=Count("pk"), value=Sum("voucher__order__face_value_cents"))
        .order_by("day", "redemption_id", "distributor", "public")
    )


def uses_count(filters: dict) -> int:
    """Vouchers used under the filters: the bound of the export's rows (one row holds one or more)."""
    booklet = _booklet()
    lines = RedemptionLine.objects.filter(is_cancelled=False)
    names = {lookup.partition("__")[0] for lookup in filters}
    if "day" in names:
        lines = lines.annotate(day=TruncDate("redemption__created_at"))
    if "distributor_id" in names:
        lines = lines.annotate(
            distributor=Subquery(
                booklet.values(d=Coalesce("shipped__handout__organisation_id", "shipped__shipment__recipient_id"))[:1]
            )
        )
    if "public" in names:
        lines = lines.annotate(public=Subquery(booklet.values("shipped__handout__category")[:1]))
    if "typology_id" in names:
        lines = lines.annotate(typology=Subquery(_first_typology()))
    return lines.filter(**_where(filters)).count()


PUBLICS = dict(BeneficiaryCategory.choices)


# The columns uses_rows reads, in the order of the export (a tuple a row: cheaper than a dict).
_COLUMNS = ("day", "place", "commune", "insee", "category", "vouchers", "value", "public", "distributor")


def uses_rows(filters: dict, *, chunk_size: int = 5000) -> Iterator[tuple]:
    """The rows of the export, streamed from the database (a server-side cursor on PostgreSQL)."""
    names: dict[int, str] = {0: ""}
    publics = PUBLICS | {"": "", None: ""}  # "": a booklet used before its handout was recorded
    for day, place, commune, insee, category, vouchers, value, public, distributor in (
        uses_queryset(filters).values_list(*_COLUMNS).iterator(chunk_size=chunk_size)
    ):
        distributor = distributor or 0
        if distributor not in names:
            names[distributor] = (
                Organisation.objects.filter(pk=distributor).values_list("name", flat=True).first() or ""
            )
        public = publics.get(public, public)
        yield day, place, commune, insee, category or "", vouchers, euros(value), public, names[distributor]


def filters_to_json(filters: dict) -> dict:
    """The filters as a job's parameters hold them (dates as ISO text)."""
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in filters.items()}


def filters_from_json(data: dict) -> dict:
    return {k: (datetime.date.fromisoformat(v) if k.startswith("day") else v) for k, v in data.items()}
