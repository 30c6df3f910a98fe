"""Shipping booklets (staff) and handing them out (a distributor's or funder's members)."""

import datetime
import re

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock, formats
from aptic.core.errors import DomainError
from aptic.printing.models import PrintRelease
from aptic.vouchers.lifecycle import booklet_activate, booklets_activate, distribution_check
from aptic.vouchers.models import Activation, Booklet, Order

from .models import BeneficiaryCategory, Handout, Shipment, ShipmentKind, ShipmentRange, ShippedBooklet

MAX_RANGES = 200
_RANGE = re.compile(r"^(\d{1,7})(?:\s*(?:-|–|à|a)\s*(\d{1,7}))?$")


def parse_ranges(text: str) -> list[tuple[int, int]]:
    """'1-100, 150, 200 à 250' → [(1, 100), (150, 150), (200, 250)]; DomainError naming the bad part."""
    ranges = []
    for raw in re.split(r"[,;\n]+", text or ""):
        part = raw.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        if not match:
            raise DomainError(
                f"« {part[:30]} » n'est pas une plage de carnets : écrivez par exemple « 1-100, 150 ».", field="ranges"
            )
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            raise DomainError(f"Dans « {part} », le premier carnet vient après le dernier.", field="ranges")
        ranges.append((first, last))
    if not ranges:
        raise DomainError("Indiquez les carnets expédiés, par exemple « 1-100 ».", field="ranges")
    if len(ranges) > MAX_RANGES:
        raise DomainError(f"Au plus {MAX_RANGES} plages par expédition.", field="ranges")
    return ranges


def check_ranges(order: Order, ranges: list[tuple[int, int]]) -> int:
    """The ranges exist in the order and do not overlap; returns the number of booklets."""
    count = order.quantity // order.booklet_size
    ordered = sorted(ranges)
    for first, last in ordered:
        if first < 1 or last > count:
            raise DomainError(
                f"Les carnets {first} à {last} n'existent pas : "
                f"la commande n° {order.pk} compte les carnets 1 à {count}.",
                field="ranges",
            )
    for (_, last), (first, _) in zip(ordered, ordered[1:], strict=False):
        if first <= last:
            raise DomainError(f"Le carnet n° {first} figure dans deux plages.", field="ranges")
    return sum(last - first + 1 for first, last in ordered)


def _number_filter(ranges):
    condition = Q()
    for first, last in ranges:
        condition |= Q(number__gte=first, number__lte=last)
    return condition


def _already_shipped(order, ranges) -> DomainError | None:
    shipped = list(
        ShippedBooklet.objects.filter(booklet__in=Booklet.objects.filter(_number_filter(ranges), order=order))
        .order_by("booklet__number")
        .values_list("booklet__number", "shipment_id")[:5]
    )
    if not shipped:
        return None
    numbers = ", ".join(str(n) for n, _ in shipped)
    return DomainError(
        f"{formats.plural(len(shipped), 'Déjà expédié : carnet', 'Déjà expédiés : carnets')} n° {numbers} "
        f"(expédition n° {shipped[0][1]}). Un carnet ne part qu'une fois.",
        field="ranges",
        code="already_shipped",
    )


@transaction.atomic
def shipment_create(
    *,
    order: Order,
    recipient: Organisation,
    ranges: list[tuple[int, int]],
    user,
    shipped_on: datetime.date | None = None,
    reference: str = "",
    kind: str = ShipmentKind.DELIVERY,
) -> Shipment:
    """Record booklets leaving for the funder or a distributor; each booklet ships once."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not PrintRelease.objects.filter(order=order).exists():
        raise DomainError(f"La commande n° {order.pk} n'est pas libérée pour l'impression : rien à expédier.")
    if recipient.pk != order.funder_id and recipient.kind != OrganisationKind.DISTRIBUTOR:
        raise DomainError("Le destinataire est le commanditaire de la commande ou un aiguilleur.", field="recipient")
    if not recipient.is_active:
        raise DomainError(f"L'organisation « {recipient.name} » est désactivée.", field="recipient")
    if kind == ShipmentKind.DELIVERY and shipped_on is None:
        raise DomainError("Indiquez la date d'expédition.", field="shipped_on")
    if shipped_on and shipped_on > timezone.localdate():
        raise DomainError("La date d'expédition ne peut pas être dans le futur.", field="shipped_on")
    count = check_ranges(order, ranges)
    distribution_check(order=order, ranges=ranges, day=shipped_on, field="ranges")
    refusal = _already_shipped(order, ranges)
    if refusal:
        raise refusal
    shipment = Shipment.objects.create(
        order=order,
        recipient=recipient,
        kind=kind,
        shipped_on=shipped_on,
        reference=(reference or "").strip()[:100],
        booklet_count=count,
        created_by=user,
        created_at=clock.moment_of(shipped_on),  # recorded as of its day (ADR 0037)
    )
    ShipmentRange.objects.bulk_create(
        [ShipmentRange(shipment=shipment, first_number=first, last_number=last) for first, last in sorted(ranges)]
    )
    booklet_ids = Booklet.objects.filter(_number_filter(ranges), order=order).values_list("pk", flat=True)
    try:
        with transaction.atomic():
            ShippedBooklet.objects.bulk_create(
                [ShippedBooklet(shipment=shipment, booklet_id=pk) for pk in booklet_ids.iterator(chunk_size=5000)],
                batch_size=5000,
            )
    except IntegrityError:  # another shipment took some of them meanwhile
        raise _already_shipped(order, ranges) or DomainError("Ces carnets viennent d'être expédiés.") from None
    audit_record(
        actor=user,
        action=AuditAction.SHIPMENT_RECORDED,
        target=shipment,
        organisation=order.funder,
        details={"recipient": recipient.name, "booklets": count, "kind": ShipmentKind(kind).label},
        at=shipment.created_at,
    )
    return shipment


def booklet_hand_out(
    *, organisation: Organisation, order_id: int, number: int, category: str, user, day: datetime.date | None = None
) -> Handout:
    """A member records a booklet given to a beneficiary, with the public category only. The
    booklet must have been shipped to the member's organisation; handing out activates it when the
    order says so."""
    if category not in BeneficiaryCategory.values:
        raise DomainError("Choisissez le public du bénéficiaire.", field="category")
    day = day or timezone.localdate()
    if day > timezone.localdate():
        raise DomainError("La date de remise ne peut pas être dans le futur.", field="handed_out_on")
    with transaction.atomic():
        shipped = (
            ShippedBooklet.objects.select_for_update()
            .select_related("shipment", "booklet__order")
            .filter(booklet__order_id=order_id, booklet__number=number)
            .first()
        )
        if shipped is None or shipped.shipment.recipient_id != organisation.pk:
            raise DomainError(
                f"Le carnet n° {number} de la commande n° {order_id} n'a pas été expédié à votre organisation.",
                code="forbidden",
                field="number",
            )
        if shipped.shipment.kind == ShipmentKind.MAILING:
            raise DomainError(f"Le carnet n° {number} part par envoi postal au bénéficiaire.", field="number")
        if Handout.objects.filter(shipped=shipped).exists():
            raise DomainError(f"Le carnet n° {number} est déjà enregistré comme remis.", field="number")
        distribution_check(order=shipped.booklet.order, ranges=[(number, number)], day=day, field="number")
        handout = Handout.objects.create(
            shipped=shipped,
            organisation=organisation,
            category=category,
            handed_out_on=day,
            recorded_by=user,
            created_at=clock.moment_of(day),
        )
        if shipped.booklet.order.activation == Activation.ON_DISTRIBUTION:
            booklet_activate(
                booklet=shipped.booklet,
                actor=user,
                reason=f"Carnet remis par {organisation.name}",
                at=handout.created_at,
            )
    return handout


@transaction.atomic
def booklets_hand_out(
    *, organisation: Organisation, order: Order, first: int, last: int, category: str, user, day: datetime.date
) -> int:
    """Booklets first … last handed out at once to beneficiaries of one public (an information
    day at a distributor's); all or none. Returns how many."""
    if category not in BeneficiaryCategory.values:
        raise DomainError("Choisissez le public des bénéficiaires.", field="category")
    if first > last:
        raise DomainError("Le premier carnet vient après le dernier.", field="number")
    distribution_check(order=order, ranges=[(first, last)], day=day, field="number")
    shipped = list(
        ShippedBooklet.objects.select_for_update(of=("self",))
        .filter(booklet__order=order, booklet__number__gte=first, booklet__number__lte=last)
        .filter(shipment__recipient=organisation, shipment__kind=ShipmentKind.DELIVERY, handout__isnull=True)
        .values_list("pk", flat=True)
    )
    if len(shipped) != last - first + 1:
        raise DomainError(
            f"Les carnets {first} à {last} n'ont pas tous été expédiés à votre organisation, "
            "ou certains sont déjà remis.",
            code="forbidden",
            field="number",
        )
    if day > timezone.localdate():
        raise DomainError("La date de remise ne peut pas être dans le futur.", field="handed_out_on")
    when = clock.moment_of(day)  # recorded, and activated, as of the day of the handout (ADR 0037)
    Handout.objects.bulk_create(
        [
            Handout(
                shipped_id=pk,
                organisation=organisation,
                category=category,
                handed_out_on=day,
                recorded_by=user,
                created_at=when,
            )
            for pk in shipped
        ],
        batch_size=5000,
    )
    if order.activation == Activation.ON_DISTRIBUTION:
        booklets_activate(
            order=order,
            numbers=range(first, last + 1),
            actor=user,
            reason=f"Carnets remis par {organisation.name}",
            at=when,
        )
    return len(shipped)
