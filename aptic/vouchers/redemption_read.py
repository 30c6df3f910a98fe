"""The read half of a redemption: the vouchers of the typed codes, each with its order (ADR 0017).

On PostgreSQL, one statement written once and rows turned into model instances with `from_db`:
compiling and iterating the same ORM query at every redemption cost twice what the database took
to answer it. Elsewhere (SQLite, embedded mode), the ORM query."""

import functools

from django.db import connection

from .models import Order, Voucher


@functools.cache
def _columns() -> tuple[list[str], list[str], str]:
    quote = connection.ops.quote_name
    voucher_fields = list(Voucher._meta.concrete_fields)
    order_fields = list(Order._meta.concrete_fields)
    select = ", ".join(
        [f"v.{quote(f.column)}" for f in voucher_fields] + [f"o.{quote(f.column)}" for f in order_fields]
    )
    # Table and column names from the models, never from input; the codes are one bound array.
    sql = (
        f"SELECT {select} FROM {quote(Voucher._meta.db_table)} v "  # noqa: S608
        f"JOIN {quote(Order._meta.db_table)} o ON o.{quote(Order._meta.pk.column)} = v.{quote('order_id')} "
        f"WHERE v.{quote('code')} = ANY(%s)"
    )
    return [f.attname for f in voucher_fields], [f.attname for f in order_fields], sql


def vouchers_for_codes(codes: list[str]) -> list[Voucher]:
    """The vouchers whose (normalised) code is in `codes`, with `order` loaded; unknown codes are absent."""
    if connection.vendor != "postgresql":
        return list(Voucher.objects.filter(code__in=codes).select_related("order"))
    voucher_names, order_names, sql = _columns()
    split = len(voucher_names)
    order_pk = order_names.index(Order._meta.pk.attname)
    orders: dict[int, Order] = {}
    vouchers = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(codes)])
        for row in cursor.fetchall():
            order_row = row[split:]
            order = orders.get(order_row[order_pk])
            if order is None:
                order = orders[order_row[order_pk]] = Order.from_db(connection.alias, order_names, order_row)
            voucher = Voucher.from_db(connection.alias, voucher_names, row[:split])
            voucher.order = order
            vouchers.append(voucher)
    return vouchers
