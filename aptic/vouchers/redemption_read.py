"""The read half of a redemption: the vouchers of the typed codes, each with its order (ADR 0017, 0027).

The voucher rows alone, in one statement written once per number of codes, turned into model
instances with the public `Model.from_db`; their orders (with their rules) from the cache. Compiling
and iterating the ORM query with its join cost twice what the database took to answer."""

import functools

from django.db import connection

from .caches import cached_orders
from .models import Voucher


@functools.cache
def _names() -> list[str]:
    # Integers and text only, which both backends return as the model wants them: no converter
    # to apply (test_redemption_fast_path checks it stays so).
    return [field.attname for field in Voucher._meta.concrete_fields]


@functools.cache
def _sql(count: int) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in Voucher._meta.concrete_fields)
    placeholders = ", ".join(["%s"] * count)
    # Table and column names from the model, never from input; the codes are bound parameters.
    return f"SELECT {columns} FROM {quote(Voucher._meta.db_table)} WHERE {quote('code')} IN ({placeholders})"  # noqa: S608


def vouchers_for_codes(codes: list[str], *, cursor=None) -> list[Voucher]:
    """The vouchers whose (normalised) code is in `codes`, with `order` set; unknown codes are absent.
    `cursor`: the redemption's own (one cursor for its read and its write), else a new one."""
    if not codes:
        return []
    if cursor is None:
        with connection.cursor() as cursor:
            return vouchers_for_codes(codes, cursor=cursor)
    names, alias = _names(), cursor.db.alias
    cursor.execute(_sql(len(codes)), list(codes))
    vouchers = [Voucher.from_db(alias, names, row) for row in cursor.fetchall()]
    orders = cached_orders(voucher.order_id for voucher in vouchers)
    for voucher in vouchers:
        voucher.order = orders[voucher.order_id][0]
    return vouchers
