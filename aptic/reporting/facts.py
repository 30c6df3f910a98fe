"""What each source table contributes to the usage rollups, for a range of its ids, as SQL.

One function per source returns (sql, params): a SELECT of one row per source row, with a column
per dimension and per measure (named as in models.DIMENSIONS and MEASURES). The refresh groups it
into the rollups (INSERT … SELECT … GROUP BY), the selectors group it on the fly as the live tail:
the same SQL for both, set-based on both databases (ADR 0043, which replaced ADR 0035's Python
loop). Days are local dates (the database's own conversion, as Django's TruncDate does)."""

from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from aptic.distribution.models import Handout, Shipment, ShippedBooklet
from aptic.places.models import Offer, Place
from aptic.territories.models import Commune
from aptic.vocabulary.models import PlaceTypology
from aptic.vouchers.models import Booklet, Order, Redemption, RedemptionLine, Voucher, VoucherEvent, VoucherStatus

from .models import MEASURES, NO_DELAY

S = VoucherStatus


# The settings of the usage reads, for their transaction: no JIT (above); the joins in the order
# written (from the range of ids: planning the tail's eleven joins took 10 ms for a query running in
# 0.3 ms, ADR 0043); and room to sort and hash a filtered page's rows in memory (at full scale the
# 71,000 rows of "a département and a public" were sorted on disk three times: 4 MB, ADR 0061).
READ_SETTINGS = (
    "set_config('jit', 'off', true)",
    "set_config('join_collapse_limit', '1', true)",
    "set_config('work_mem', '32MB', true)",
)


@contextmanager
def no_jit():
    """On PostgreSQL, no JIT compilation for the facts' queries: their correlated lookups make the
    planner's estimate high enough to compile them, which took ~1 s for a query running in 0.1 s
    (ADR 0035). The setting lasts until the end of the transaction opened here."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {', '.join(READ_SETTINGS)}")
        yield


def quoted(model) -> str:
    """A model's table name, quoted for SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def local_date(column: str) -> tuple[str, list]:
    """SQL of the local date of a timestamp column, with its parameters (the time zone)."""
    sql, params = connection.ops.datetime_cast_date_sql(column, (), timezone.get_current_timezone_name())
    return sql, list(params)


def days_between(later: str, earlier: str) -> str:
    """SQL of the whole days from one date to another."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def days_before(day: str, days: str) -> str:
    """SQL of the date a number of days before a date."""
    if connection.vendor == "postgresql":
        return f"({day} - {days})"
    return f"date({day}, '-' || {days} || ' days')"


def month_of(day: str) -> str:
    """SQL of the first day of a date's month."""
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {day}) AS date)"
    return f"date({day}, 'start of month')"


def _literal(status: str) -> str:
    """A status as an SQL literal: the model's own constants, never input."""
    assert status.isidentifier(), status
    return f"'{status}'"


def _range(column: str, lo: int, hi: int | None, where: dict, paths: dict) -> tuple[str, list]:
    """The id range, and the filters on funder or order pushed down to the source's columns (the
    live tail of one funder's figures reads that funder's rows only)."""
    sql, params = [f"{column} > %s"], [lo]
    if hi is not None:
        sql.append(f"{column} <= %s")
        params.append(hi)
    for lookup, value in (where or {}).items():
        name, _, kind = lookup.partition("__")
        if name in paths and kind in ("", "exact"):
            sql.append(f"{paths[name]} = %s")
            params.append(value)
        elif name in paths and kind == "in":
            values = list(value)
            sql.append(f"{paths[name]} IN ({', '.join(['%s'] * len(values))})" if values else "1 = 0")
            params.extend(values)
    return " AND ".join(sql), params


def voucher_event_facts(lo: int, hi: int | None, filters: dict | None = None) -> tuple[str, list]:
    """Uses and their cancellations, expiries, stops and their lifting.

    A use, and its cancellation (-1), count on the day and at the place of the use; the booklet
    (found by the voucher's order and sequence: no foreign key links them) gives the handout's
    distributor and public, else the shipment's recipient."""
    use_day, day_params = local_date("r.created_at")
    event_day, event_params = local_date("e.created_at")
    R = _literal(S.REDEEMED)
    # A use moves an unspent voucher to redeemed, its cancellation back; a transfer the bank
    # returns (reimbursed → redeemed) and a reimbursement are no use.
    unspent = f"({_literal(S.ISSUED)}, {_literal(S.ACTIVE)})"
    use = f"((e.to_status = {R} AND e.from_status IN {unspent}) OR (e.from_status = {R} AND e.to_status IN {unspent}))"
    sign = f"(CASE WHEN e.to_status = {R} THEN 1 ELSE -1 END)"
    # The redemption's first voucher (lowest id); a redemption of one voucher needs no lookup.
    first = (
        "(r.voucher_count = 1 OR e.voucher_id = "  # noqa: S608
        f"(SELECT min(l.voucher_id) FROM {quoted(RedemptionLine)} l WHERE l.redemption_id = e.redemption_id))"
    )
    typology = (
        f"(SELECT pt.placetypology_id FROM {quoted(Place.typologies.through)} pt "  # noqa: S608
        f"JOIN {quoted(PlaceTypology)} t ON t.id = pt.placetypology_id "
        "WHERE pt.place_id = r.place_id ORDER BY t.position, t.id LIMIT 1)"
    )
    where, where_params = _range("e.id", lo, hi, filters, {"funder_id": "o.funder_id", "order_id": "v.order_id"})
    expired, stopped = _literal(S.EXPIRED), _literal(S.STOPPED)
    sql = f"""SELECT
        CASE WHEN {use} THEN {use_day} ELSE {event_day} END AS day,
        o.funder_id AS funder_id,
        v.order_id AS order_id,
        CASE WHEN {use} THEN r.place_id ELSE 0 END AS place_id,
        CASE WHEN {use} THEN COALESCE(f.category_id, 0) ELSE 0 END AS category_id,
        CASE WHEN {use} THEN COALESCE({typology}, 0) ELSE 0 END AS typology_id,
        CASE WHEN {use} THEN c.insee_code ELSE '' END AS commune,
        CASE WHEN {use} THEN COALESCE(c.epci_id, '') ELSE '' END AS epci,
        CASE WHEN {use} THEN c.departement_id ELSE '' END AS departement,
        CASE WHEN {use} THEN c.region_id ELSE '' END AS region,
        COALESCE(h.organisation_id, sh.recipient_id, 0) AS distributor_id,
        COALESCE(h.category, '') AS public,
        CASE WHEN {use} AND h.handed_out_on IS NOT NULL THEN {days_between(use_day, "h.handed_out_on")}
            ELSE {NO_DELAY} END AS delay_days,
        CASE WHEN {use} THEN {sign} ELSE 0 END AS used,
        CASE WHEN {use} THEN {sign} * o.face_value_cents ELSE 0 END AS used_cents,
        CASE WHEN {use} AND {first} THEN {sign} ELSE 0 END AS services,
        CASE WHEN {use} AND {first} THEN {sign} * r.price_cents ELSE 0 END AS price_cents,
        CASE WHEN {use} AND {first} THEN {sign} * r.remainder_cents ELSE 0 END AS on_top_cents,
        0 AS handed_out,
        0 AS shipped,
        CASE WHEN e.to_status = {expired} THEN 1 ELSE 0 END AS expired,
        (CASE WHEN e.to_status = {stopped} THEN 1 ELSE 0 END)
            - (CASE WHEN e.from_status = {stopped} THEN 1 ELSE 0 END) AS stopped
    FROM {quoted(VoucherEvent)} e
    JOIN {quoted(Voucher)} v ON v.id = e.voucher_id
    JOIN {quoted(Order)} o ON o.id = v.order_id
    LEFT JOIN {quoted(Redemption)} r ON r.id = e.redemption_id
    LEFT JOIN {quoted(Offer)} f ON f.id = r.offer_id
    LEFT JOIN {quoted(Place)} p ON p.id = r.place_id
    LEFT JOIN {quoted(Commune)} c ON c.insee_code = p.commune_id
    LEFT JOIN {quoted(Booklet)} b ON b.order_id = v.order_id AND b.number = (v.sequence - 1) / o.booklet_size + 1
    LEFT JOIN {quoted(ShippedBooklet)} sb ON sb.booklet_id = b.id
    LEFT JOIN {quoted(Shipment)} sh ON sh.id = sb.shipment_id
    LEFT JOIN {quoted(Handout)} h ON h.shipped_id = sb.id
    WHERE {where} AND ({use} OR e.to_status IN ({expired}, {stopped}) OR e.from_status = {stopped})"""  # noqa: S608
    # The only parameters: the time zone of the days (in the order above), then the range.
    return sql, day_params + event_params + day_params + where_params


def _measures(**given: str) -> str:
    """The measures' columns: those given as SQL, 0 for the others."""
    return ", ".join(f"{given.get(name, 0)} AS {name}" for name in MEASURES)


def _booklet_facts(day: str, distributor: str, public: str, measures: str, source: str, where: str) -> str:
    """Facts of whole booklets (a handout, a shipment): no place, no delay; `source` joins `sb`."""
    return f"""SELECT {day} AS day, o.funder_id AS funder_id, b.order_id AS order_id,
        0 AS place_id, 0 AS category_id, 0 AS typology_id, '' AS commune, '' AS epci, '' AS departement,
        '' AS region, {distributor} AS distributor_id, {public} AS public, {NO_DELAY} AS delay_days, {measures}
    FROM {source}
    JOIN {quoted(Booklet)} b ON b.id = sb.booklet_id
    JOIN {quoted(Order)} o ON o.id = b.order_id
    WHERE {where}"""  # noqa: S608 (names from the models)


def handout_facts(lo: int, hi: int | None, filters: dict | None = None) -> tuple[str, list]:
    where, params = _range("h.id", lo, hi, filters, {"funder_id": "o.funder_id", "order_id": "b.order_id"})
    sql = _booklet_facts(
        "h.handed_out_on", "h.organisation_id", "h.category", _measures(handed_out="b.size"),
        f"{quoted(Handout)} h JOIN {quoted(ShippedBooklet)} sb ON sb.id = h.shipped_id", where,
    )  # fmt: skip
    return sql, params


def shipped_booklet_facts(lo: int, hi: int | None, filters: dict | None = None) -> tuple[str, list]:
    # A postal mailing has no shipping date until posted: the day it was recorded.
    recorded, day_params = local_date("sh.created_at")
    where, params = _range("sb.id", lo, hi, filters, {"funder_id": "o.funder_id", "order_id": "b.order_id"})
    sql = _booklet_facts(
        f"COALESCE(sh.shipped_on, {recorded})", "sh.recipient_id", "''", _measures(shipped="b.size"),
        f"{quoted(ShippedBooklet)} sb JOIN {quoted(Shipment)} sh ON sh.id = sb.shipment_id", where,
    )  # fmt: skip
    return sql, day_params + params


# The source tables, by watermark name.
SOURCES = {
    "voucher_event": (VoucherEvent, voucher_event_facts),
    "handout": (Handout, handout_facts),
    "shipped_booklet": (ShippedBooklet, shipped_booklet_facts),
}
