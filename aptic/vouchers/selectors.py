"""Reads about vouchers for the web pages: a voucher by its code and its state in plain French, the
places where it can be used, the provider's counter and its redemptions."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from aptic.core import formats
from aptic.places.models import Offer, Place
from aptic.places.selectors import public_places

from .models import Order, Redemption, Voucher, VoucherStatus
from .rules import CANCEL_WINDOW, OrderRules, rules_for

# --- A voucher and its state ------------------------------------------------------------------


def voucher_by_code(code: str) -> Voucher | None:
    """The voucher of a normalised code (codes.normalise), with its order, funder and redemption."""
    return (
        Voucher.objects.select_related("order__funder", "redemption__place", "redemption__offer")
        .filter(code=code)
        .first()
    )


@dataclass(frozen=True)
class VoucherState:
    """What the holder reads: `kind` for the page's layout, `title` and `detail` in plain French."""

    kind: str  # usable, grace, not_yet, not_active, used, expired, stopped
    title: str
    detail: str = ""

    @property
    def usable(self) -> bool:
        """Can be spent today (or soon, for not_yet and not_active): where to use it is worth showing."""
        return self.kind in ("usable", "grace", "not_yet", "not_active")


def _d(day: datetime.date) -> str:
    return formats.date(day)


def voucher_state(voucher: Voucher, day: datetime.date | None = None) -> VoucherState:
    day = day or timezone.localdate()
    order = voucher.order
    status = voucher.status
    if status in (VoucherStatus.REDEEMED, VoucherStatus.REIMBURSED):
        redemption = voucher.redemption
        where = (
            f" le {timezone.localtime(redemption.created_at):%d/%m/%Y} à {redemption.place.name}" if redemption else ""
        )
        return VoucherState("used", "Déjà utilisé", f"Ce chèque a été utilisé{where} : il ne peut plus servir.")
    if status == VoucherStatus.STOPPED:
        return VoucherState(
            "stopped",
            "Mis en opposition",
            "Ce chèque a été déclaré perdu ou volé : il ne peut pas être utilisé. "
            f"Si vous l'avez retrouvé, adressez-vous à qui vous l'a offert (commanditaire : {order.funder.name}).",
        )
    if status == VoucherStatus.EXPIRED or day > order.grace_until:
        return VoucherState("expired", "Expiré", f"Ce chèque pouvait être utilisé jusqu'au {_d(order.grace_until)}.")
    if status == VoucherStatus.ISSUED:
        return VoucherState(
            "not_active",
            "Pas encore activé",
            "Ce chèque sera utilisable dès que l'organisme qui vous l'a remis l'aura enregistré comme distribué. "
            "Si vous l'avez déjà reçu, rapprochez-vous de cet organisme.",
        )
    if day < order.valid_from:
        return VoucherState(
            "not_yet", "Bientôt utilisable", f"Ce chèque sera utilisable à partir du {_d(order.valid_from)}."
        )
    if day > order.valid_until:
        return VoucherState(
            "grace",
            "Utilisable encore quelques jours",
            f"La période de validité s'est terminée le {_d(order.valid_until)}, mais ce chèque est encore accepté "
            f"jusqu'au {_d(order.grace_until)}. Ne tardez pas !",
        )
    return VoucherState("usable", "Utilisable", f"Vous pouvez utiliser ce chèque jusqu'au {_d(order.valid_until)}.")


# --- Where a voucher can be used --------------------------------------------------------------


def payable_offers() -> QuerySet[Offer]:
    """Offers a voucher can pay: proposed now, accepting #APTIC vouchers, not free."""
    return Offer.objects.filter(is_active=True, accepts_aptic=True, price_cents__gt=0)


def _payable_offers_for(rules: OrderRules) -> QuerySet[Offer]:
    offers = payable_offers()
    if rules.categories:
        offers = offers.filter(category_id__in=rules.categories)
    return offers


def places_for_rules(rules: OrderRules) -> QuerySet[Place]:
    """Public places (published, labelled provider) where vouchers with these rules can pay a service.

    The same rules as rules.refusal, as a query: territory (communes, EPCIs, départements, régions:
    any of them), place types (any), and at least one payable offer of an allowed category.
    """
    qs = public_places()
    if rules.has_territory:
        where = Q()
        if rules.communes:
            where |= Q(commune_id__in=rules.communes)
        if rules.epcis:
            where |= Q(commune__epci_id__in=rules.epcis)
        if rules.departements:
            where |= Q(commune__departement_id__in=rules.departements)
        if rules.regions:
            where |= Q(commune__region_id__in=rules.regions)
        qs = qs.filter(where)
    if rules.typologies:
        typed = Place.typologies.through.objects.filter(placetypology_id__in=rules.typologies)
        qs = qs.filter(pk__in=typed.values("place_id"))
    return qs.filter(pk__in=_payable_offers_for(rules).values("place_id"))


def places_for_order(order: Order) -> QuerySet[Place]:
    return places_for_rules(rules_for([order])[order.pk])


def places_for_order_page(order: Order) -> QuerySet[Place]:
    """For the list: with the commune and the offers the voucher can pay there (cheapest first)."""
    rules = rules_for([order])[order.pk]
    offers = _payable_offers_for(rules).select_related("category").order_by("price_cents", "title")
    return (
        places_for_rules(rules)
        .select_related("commune")
        .prefetch_related(Prefetch("offers", queryset=offers, to_attr="payable_offers"))
        .order_by("commune__name", "name", "pk")
    )


def map_rows_for_order(order: Order) -> list[tuple]:
    """Rows for aptic.places.geojson.feature_collection: (id, latitude, longitude, name, commune, None)."""
    rows = places_for_order(order).order_by().values_list("pk", "latitude", "longitude", "name", "commune__name")
    return [(*row, None) for row in rows]


# --- The counter ------------------------------------------------------------------------------


def counter_offers(organisation) -> list[Offer]:
    """The provider's offers a voucher can pay, with their place, grouped by place name."""
    return list(
        payable_offers()
        .filter(place__provider=organisation)
        .select_related("place", "category")
        .order_by("place__name", "place_id", "title", "pk")
    )


# --- Redemptions ------------------------------------------------------------------------------


def _reimbursed():
    return Exists(Voucher.objects.filter(redemption=OuterRef("pk"), status=VoucherStatus.REIMBURSED))


def redemptions_of(
    organisation,
    *,
    month: datetime.date | None = None,
    since: datetime.datetime | None = None,
    before: datetime.datetime | None = None,
    place_id: int | None = None,
) -> QuerySet[Redemption]:
    """The provider's redemptions, newest first, with .is_reimbursed; month: any day of the month
    wanted; since, before: made at or after, and before, these moments."""
    qs = Redemption.objects.filter(provider=organisation).select_related("place", "offer", "created_by")
    if month is not None:
        start = timezone.make_aware(datetime.datetime(month.year, month.month, 1))
        following = datetime.datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
        qs = qs.filter(created_at__gte=start, created_at__lt=timezone.make_aware(following))
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    if place_id is not None:
        qs = qs.filter(place_id=place_id)
    return qs.annotate(is_reimbursed=_reimbursed()).order_by("-created_at", "-pk")


def redemption_months(organisation) -> list[datetime.date]:
    """The first day of each month, in the site's time zone, in which the provider redeemed, newest first."""
    moments = Redemption.objects.filter(provider=organisation).datetimes("created_at", "month", order="DESC")
    return [m.date() for m in moments]


def redemption_totals(redemptions: QuerySet[Redemption]) -> dict:
    """Count, vouchers and amounts of the redemptions that stand (cancelled ones left out)."""
    return redemptions.filter(cancelled_at__isnull=True).aggregate(
        count=Count("pk"),
        vouchers=Coalesce(Sum("voucher_count"), 0),
        covered=Coalesce(Sum("covered_cents"), 0),
        remainder=Coalesce(Sum("remainder_cents"), 0),
    )


def redemption_of(organisation, pk: int) -> Redemption | None:
    """One of the provider's redemptions, with its vouchers' serials (.serials); None if not its own."""
    redemption = (
        Redemption.objects.filter(provider=organisation, pk=pk)
        .select_related("place", "offer", "created_by", "cancelled_by")
        .annotate(is_reimbursed=_reimbursed())
        .first()
    )
    if redemption is not None:
        lines = redemption.lines.select_related("voucher__order__funder").order_by(
            "voucher__order_id", "voucher__sequence"
        )
        redemption.serials = [
            (line.voucher.serial, line.amount_cents, line.voucher.order.funder.name) for line in lines
        ]
    return redemption


def can_cancel(redemption: Redemption, now: datetime.datetime | None = None) -> bool:
    """What the page offers; redemption.redemption_cancel decides, under a lock."""
    now = now or timezone.now()
    return (
        redemption.cancelled_at is None
        and not getattr(redemption, "is_reimbursed", False)
        and now - redemption.created_at <= CANCEL_WINDOW
    )
