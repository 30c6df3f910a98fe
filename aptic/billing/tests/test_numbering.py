"""Gap-free numbers: sequential, given back on rollback, and exactly 1..N under concurrency (PostgreSQL)."""

import pytest
from django.db import transaction

from aptic.billing.models import DocumentCounter
from aptic.billing.numbering import number_next
from aptic.core.tests.race import race


@pytest.mark.django_db
def test_numbers_follow_each_other_per_kind_and_year():
    with transaction.atomic():
        assert number_next(kind="invoice", year=2026) == "F-2026-00001"
        assert number_next(kind="invoice", year=2026) == "F-2026-00002"
        assert number_next(kind="credit_note", year=2026) == "A-2026-00001"
        assert number_next(kind="quote", year=2027) == "D-2027-00001"


@pytest.mark.django_db
def test_a_rolled_back_document_gives_its_number_back():
    with transaction.atomic():
        assert number_next(kind="invoice", year=2026) == "F-2026-00001"
    with pytest.raises(RuntimeError), transaction.atomic():
        number_next(kind="invoice", year=2026)
        raise RuntimeError("the document failed")
    with transaction.atomic():
        assert number_next(kind="invoice", year=2026) == "F-2026-00002"


THREADS = 8
PER_THREAD = 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.postgres
def test_concurrent_numbering_gives_exactly_one_to_n():
    """8 connections × 5 documents each, started together: numbers 1..40, no gap, no duplicate."""

    def work():
        numbers = []
        for _ in range(PER_THREAD):
            with transaction.atomic():
                numbers.append(number_next(kind="invoice", year=2031))
        return numbers

    outcomes = race(*[work] * THREADS)
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    got = [number for numbers in outcomes for number in numbers]
    assert sorted(got) == [f"F-2031-{n:05d}" for n in range(1, THREADS * PER_THREAD + 1)]
    assert DocumentCounter.objects.get(kind="invoice", year=2031).last == THREADS * PER_THREAD
