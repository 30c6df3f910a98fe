"""Creating orders and issuing their vouchers in one go (a million-voucher order must be practical)."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from aptic.accounts.models import OrganisationKind
from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock, formats
from aptic.core.errors import DomainError
from aptic.ledger import services as ledger

from . import codes
from .accounts import order_outstanding_account
from .models import (
    FACE_VALUE_MAX_CENTS,
    FACE_VALUE_MIN_CENTS,
    MAX_QUANTITY,
    RULE_FIELDS,
    Activation,
    Booklet,
    Order,
    Voucher,
    VoucherStatus,
)


def face_value_range_message() -> str:
    low, high = FACE_VALUE_MIN_CENTS // 100, FACE_VALUE_MAX_CENTS // 100
    return f"La valeur faciale d'un chèque est comprise entre {low} € et {high} €."


def default_validity(issued_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Valid until 31 December of the year of issue, tolerated until 31 January of the next."""
    return datetime.date(issued_on.year, 12, 31), datetime.date(issued_on.year + 1, 1, 31)


def order_check(
    *,
    funder,
    quantity: int,
    face_value_cents: int = 1000,
    booklet_size: int = 10,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    grace_until: datetime.date | None = None,
    activation: str = Activation.ON_ISSUE,
    max_vouchers_per_act: int | None = None,
    label: str = "",
    **rules,
) -> dict:
    """An order's terms checked and completed (default dates), as Order fields and rules; writes nothing.

    rules: rule_communes, rule_epcis, rule_departements, rule_regions, rule_typologies, rule_categories.
    Refuses with a DomainError in French, so that a form can show the refusal before anything is created.
    """
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"order_create() got unexpected arguments: {sorted(unknown)}")
    if funder.kind != OrganisationKind.FUNDER:
        raise DomainError("Une commande appartient à un commanditaire.", field="funder")
    if not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
        raise DomainError(f"La quantité doit être comprise entre 1 et {formats.count(MAX_QUANTITY, 'chèque')}.")
    if booklet_size not in (5, 10):
        raise DomainError("Un carnet contient 5 ou 10 chèques.", field="booklet_size")
    if quantity % booklet_size:
        raise DomainError(
            f"La quantité doit être un multiple de {booklet_size} (chèques par carnet).", field="quantity"
        )
    if not isinstance(face_value_cents, int) or face_value_cents <= 0:
        raise DomainError("La valeur faciale doit être positive.", field="face_value_cents")
    if not FACE_VALUE_MIN_CENTS <= face_value_cents <= FACE_VALUE_MAX_CENTS:
        raise DomainError(face_value_range_message(), field="face_value_cents")
    valid_from = valid_from or timezone.localdate()
    default_until, default_grace = default_validity(valid_from)
    valid_until = valid_until or default_until
    grace_until = grace_until or max(default_grace, valid_until)
    if not valid_from <= valid_until <= grace_until:
        raise DomainError("Les dates de validité doivent se suivre : début, fin, puis tolérance.", field="valid_until")
    if max_vouchers_per_act is not None and max_vouchers_per_act <= 0:
        raise DomainError("Le nombre de chèques par service doit être positif.", field="max_vouchers_per_act")
    return {
        "funder": funder,
        "label": (label or "").strip()[:200],
        "quantity": quantity,
        "face_value_cents": face_value_cents,
        "booklet_size": booklet_size,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "grace_until": grace_until,
        "activation": activation,
        "max_vouchers_per_act": max_vouchers_per_act,
        **rules,
    }


@transaction.atomic
def order_create(*, actor=None, at: datetime.datetime | None = None, **terms) -> Order:
    """Create an order (not issued yet) from its terms, those of order_check, which refuses bad ones.
    `at`: when it was made (now by default, never to come)."""
    at = clock.moment(at)
    if terms.get("valid_from") is None:  # valid from the day it is made
        terms["valid_from"] = timezone.localdate(at)
    fields = order_check(**terms)
    rules = {name: fields.pop(name) for name in RULE_FIELDS if name in fields}
    order = Order.objects.create(**fields, created_by=actor, created_at=at)
    for name, values in rules.items():
        if values:
            getattr(order, name).set(values)
    return order


COPY_CHUNK = 50_000


def _insert_booklets(order: Order) -> None:
    """One INSERT … SELECT on PostgreSQL (a hundred thousand booklets per million vouchers)."""
    size, count = order.booklet_size, order.quantity // order.booklet_size
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(Booklet._meta.db_table)} "  # noqa: S608 (table name only)
                "(order_id, number, first_sequence, size) "
                "SELECT %s, n, (n - 1) * %s + 1, %s FROM generate_series(1, %s) AS n",
                [order.pk, size, size, count],
            )
        return
    Booklet.objects.bulk_create(
        [Booklet(order=order, number=n + 1, first_sequence=n * size + 1, size=size) for n in range(count)],
        batch_size=5000,
    )


def _insert_vouchers(order: Order, status: str) -> None:
    """COPY on PostgreSQL (text format written in large chunks), executemany elsewhere."""
    new_codes = codes.generate(order.quantity)
    table = connection.ops.quote_name(Voucher._meta.db_table)
    columns = "order_id, sequence, code, status, status_before_stop"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for start in range(0, order.quantity, COPY_CHUNK):
                    stop = min(start + COPY_CHUNK, order.quantity)
                    copy.write(
                        "".join(f"{order.pk}\t{s + 1}\t{new_codes[s]}\t{status}\t\n" for s in range(start, stop))
                    )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, '')",  # noqa: S608 (table name only)
                [(order.pk, s + 1, new_codes[s], status) for s in range(order.quantity)],
            )


@transaction.atomic
def order_issue(*, order: Order, actor=None, at: datetime.datetime | None = None) -> Order:
    """Create the order's booklets and vouchers, and move their value into circulation in the ledger.
    `at`: now unless given (the demo's calendar, ADR 0024)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.issued_at:
        raise DomainError(f"La commande n° {order.pk} a déjà été émise.")
    at = clock.moment(at)
    if at < order.created_at:
        raise DomainError(f"La commande n° {order.pk} ne peut pas être émise avant d'avoir été créée.", field="at")
    status = VoucherStatus.ACTIVE if order.activation == Activation.ON_ISSUE else VoucherStatus.ISSUED
    _insert_booklets(order)
    _insert_vouchers(order, status)
    total = order.quantity * order.face_value_cents
    ledger.transaction_post(
        kind="issuance",
        description=f"Émission de {order.quantity} chèques (commande n° {order.pk})",
        reference=f"order:{order.pk}",
        lines=[(ledger.funder_account(order.funder), total), (order_outstanding_account(order), -total)],
        actor=actor,
        at=at,
    )
    order.issued_at = at
    order.save(update_fields=["issued_at"])
    audit_record(
        actor=actor,
        action=AuditAction.ORDER_ISSUED,
        target=order,
        organisation=order.funder,
        details={"quantity": order.quantity},
        at=at,
    )
    return order
