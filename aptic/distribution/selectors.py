"""Reads for the distribution pages, and counts per order for the funder space (issue #5, item 9)."""

from django.db.models import Count, Prefetch, Q, Sum

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.vouchers.models import Booklet, Order, VoucherEvent, VoucherStatus

from .models import Handout, Mailing, Shipment, ShipmentRange, ShippedBooklet


def vouchers_shipped(order_ids) -> dict[int, int]:
    """{order id: vouchers in booklets shipped (delivered or posted to beneficiaries)}."""
    rows = (
        ShippedBooklet.objects.filter(booklet__order_id__in=list(order_ids))
        .values("booklet__order_id")
        .annotate(n=Sum("booklet__size"))
    )
    return {row["booklet__order_id"]: row["n"] for row in rows}


def vouchers_distributed(order_ids) -> dict[int, int]:
    """{order id: vouchers in booklets handed out to beneficiaries (by hand or by post)}."""
    rows = (
        Handout.objects.filter(shipped__booklet__order_id__in=list(order_ids))
        .values("shipped__booklet__order_id")
        .annotate(n=Sum("shipped__booklet__size"))
    )
    return {row["shipped__booklet__order_id"]: row["n"] for row in rows}


def _with_counts(queryset):
    return (
        queryset.select_related("order__funder", "recipient")
        .annotate(handed_out=Count("booklets__handout"))
        .prefetch_related(Prefetch("ranges", queryset=ShipmentRange.objects.order_by("first_number")))
    )


def shipments_for_staff():
    return _with_counts(Shipment.objects.all()).order_by("-created_at", "-pk")


def shipments_of_funder(funder):
    """Shipments of the funder's orders, to itself or to distributors."""
    return _with_counts(Shipment.objects.filter(order__funder=funder)).order_by("-created_at", "-pk")


def shipments_received(organisation):
    """Deliveries the organisation received and hands out itself (postal mailings excluded)."""
    return _with_counts(Shipment.objects.filter(recipient=organisation, kind="delivery")).order_by("-created_at")


def handouts_of(organisation, limit: int = 50):
    return (
        Handout.objects.filter(organisation=organisation)
        .select_related("shipped__booklet__order")
        .order_by("-created_at", "-pk")[:limit]
    )


def categories_of(organisation) -> list[dict]:
    return list(
        Handout.objects.filter(organisation=organisation).values("category").annotate(n=Count("pk")).order_by("-n")
    )


def orders_received(organisation):
    """Orders of which the organisation received booklets to hand out (for the form's choices)."""
    return Order.objects.filter(shipments__recipient=organisation, shipments__kind="delivery").distinct().order_by("pk")


def orders_for_shipping():
    return Order.objects.filter(print_release__isnull=False).select_related("funder").order_by("-pk")


def recipients():
    return Organisation.objects.filter(
        Q(kind=OrganisationKind.DISTRIBUTOR) | Q(kind=OrganisationKind.FUNDER), is_active=True
    ).order_by("kind", "name")


def mailings_of_funder(funder):
    return Mailing.objects.filter(shipment__recipient=funder).select_related("shipment__order", "job")


def mailings_for_staff():
    return Mailing.objects.select_related("shipment__order__funder", "job").order_by("-created_at", "-pk")


def funder_orders_for_mailing(funder):
    return Order.objects.filter(funder=funder, print_release__isnull=False).order_by("-pk")


# --- Stops (lost or stolen booklets) declared from a funder's or distributor's space ---------------


def booklets_in_care_of(organisation):
    """Booklets an organisation may declare lost or stolen: a funder those of its orders, a
    distributor those shipped to it."""
    if organisation.kind == OrganisationKind.FUNDER:
        return Booklet.objects.filter(order__funder=organisation)
    return Booklet.objects.filter(shipped__shipment__recipient=organisation)


def orders_in_care_of(organisation):
    """The orders whose booklets the organisation may stop (for the form's choices)."""
    if organisation.kind == OrganisationKind.FUNDER:
        return Order.objects.filter(funder=organisation, issued_at__isnull=False).order_by("-pk")
    return orders_received(organisation)


def stops_declared_by(organisation, limit: int = 50):
    """The latest stops declared from the organisation's space (by its members), newest first."""
    return (
        VoucherEvent.objects.filter(to_status=VoucherStatus.STOPPED, actor__memberships__organisation=organisation)
        .select_related("voucher__order", "actor")
        .order_by("-created_at", "-pk")[:limit]
    )


def booklet_vouchers(booklet):
    return list(booklet.vouchers.select_related("order").order_by("sequence"))
