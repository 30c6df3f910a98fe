"""Guards the root conftest puts around every test (ADR 0032): unordered queries come back in random
order, a test that leaves rows in the ledger ends with every invariant of the books checked, and no
code activates a time zone (ADR 0063)."""

import contextvars
from contextlib import contextmanager

from django.db.models.expressions import OrderBy
from django.db.models.functions import Random
from django.db.models.sql.compiler import SQLCompiler

# Set while Django compiles the parts of a UNION (or INTERSECT, EXCEPT): SQLite refuses an ORDER BY
# in them, and PostgreSQL would need each part in parentheses.
_combining = contextvars.ContextVar("combining", default=False)


def _unordered(query) -> bool:
    """The query falls back on the database's order: no order_by() given, no Meta.ordering, and its
    ordering was not cleared on purpose (count(), exists(), aggregate() and subqueries of a filter
    or an update set default_ordering to False). DISTINCT is left alone: PostgreSQL requires its
    ORDER BY terms in the select list."""
    meta = query.get_meta()
    return (
        meta is not None
        and query.default_ordering
        and not query.order_by
        and not query.extra_order_by
        and not meta.ordering
        and not query.distinct
        and not _combining.get()
    )


@contextmanager
def random_default_order():
    """Patch Django's SQL compiler so that a SELECT with no order ends with ORDER BY RANDOM() (SQLite)
    or random() (PostgreSQL): code or tests that rely on the insertion order fail now and then instead
    of passing by luck. A query with a partial order is left as it is."""
    order_by_pairs, combinator_sql = SQLCompiler._order_by_pairs, SQLCompiler.get_combinator_sql

    def _order_by_pairs(self):
        if _unordered(self.query):
            yield OrderBy(Random()), False
        else:
            yield from order_by_pairs(self)

    def get_combinator_sql(self, combinator, all):
        token = _combining.set(True)
        try:
            return combinator_sql(self, combinator, all)
        finally:
            _combining.reset(token)

    SQLCompiler._order_by_pairs, SQLCompiler.get_combinator_sql = _order_by_pairs, get_combinator_sql
    try:
        yield
    finally:
        SQLCompiler._order_by_pairs, SQLCompiler.get_combinator_sql = order_by_pairs, combinator_sql


def ledger_breaches() -> list[str]:
    """Every breach of the books' invariants (the checks of `manage.py check_ledger`), in French."""
    from aptic.ledger.invariants import checks

    return [breach for check in checks() for breach in check()]


def ledger_size() -> int:
    """How many transactions the ledger holds: a test whose count moved wrote to the books."""
    from aptic.ledger.models import Transaction

    return Transaction.objects.count()


class _NoActiveZone:
    """Stands in for django.utils.timezone's store of the active zone: none is ever found (the default
    zone applies), and setting one fails, whatever the path (timezone.activate or override under any
    name, the {% timezone %} tag, a middleware)."""

    def __getattr__(self, name):
        raise AttributeError(name)

    def __setattr__(self, name, value):
        raise AssertionError(
            "The platform runs in one time zone, settings.TIME_ZONE: core/clock.day_of reads the default "
            "zone, not the active one (ADR 0063). Activating another needs day_of to read the active zone."
        )


@contextmanager
def one_time_zone():
    from django.utils import timezone

    active, timezone._active = timezone._active, _NoActiveZone()
    try:
        yield
    finally:
        timezone._active = active
