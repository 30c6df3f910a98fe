"""Gap-free numbers per kind of document and year: D-2026-00001, F-2026-00001, A-2026-00001.

The counter row is locked (SELECT … FOR UPDATE) in the caller's transaction and incremented there:
a rolled-back document gives its number back, and two concurrent documents wait for each other
instead of sharing a number. The unique constraint on each document's number is the second barrier.
"""

from django.db import transaction

from .models import PREFIXES, DocumentCounter


def number_next(*, kind: str, year: int) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must run inside the transaction that stores the document")
    # Created once per kind and year; ignore_conflicts makes two first callers harmless.
    DocumentCounter.objects.bulk_create([DocumentCounter(kind=kind, year=year, last=0)], ignore_conflicts=True)
    counter = DocumentCounter.objects.select_for_update().get(kind=kind, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{PREFIXES[kind]}-{year}-{counter.last:05d}"
