"""What must always hold in the books. Apps add their own checks with @invariant (in AppConfig.ready);
`manage.py check_ledger` runs them all and fails on any breach."""

from collections.abc import Callable

from django.db.models import Count, Sum

from aptic.core import formats

from .models import Entry, Transaction

_CHECKS: list[Callable[[], list[str]]] = []
SHOWN = 100  # breaches listed at most per check


def invariant(check: Callable[[], list[str]]) -> Callable[[], list[str]]:
    """Register a check: it returns a list of breaches, in French, empty when all is well."""
    _CHECKS.append(check)
    return check


def checks() -> list[Callable[[], list[str]]]:
    return list(_CHECKS)


@invariant
def every_transaction_balances() -> list[str]:
    rows = (
        Entry.objects.values("transaction_id")
        .annotate(total=Sum("amount_cents"))
        .exclude(total=0)
        .order_by("transaction_id")[:SHOWN]
    )
    return [f"L'écriture n° {r['transaction_id']} est déséquilibrée de {r['total']} centimes." for r in rows]


@invariant
def every_transaction_has_two_entries() -> list[str]:
    rows = Transaction.objects.annotate(lines=Count("entries")).filter(lines__lt=2).order_by("pk")[:SHOWN]
    return [f"L'écriture n° {t.pk} n'a que {formats.count(t.lines, 'ligne')}." for t in rows]
