"""The guards of the suite itself (ADR 0032) do what they say: PostgreSQL-only tests are marked, never
skipped by hand; unordered queries come back shuffled, and only those; a test that leaves the books in
breach fails; a race starts its workers together and joins them all."""

import ast
import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from aptic import conftest
from aptic.accounts.models import Membership, Organisation, User
from aptic.core.tests import guards
from aptic.core.tests.race import race
from aptic.ledger import services as ledger
from aptic.ledger.models import Account, Entry

ROOT = Path(conftest.__file__).parent
VENDOR = re.compile(r"vendor|postgres", re.I)


def hand_made_skips(source: str) -> list[int]:
    """Lines where a test decides on the database by itself: `skipif(...)` on the vendor, or
    `skip(...)` (pytest.skip, pytest.mark.skip) naming PostgreSQL or the vendor."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("skip", "skipif") and VENDOR.search(ast.get_source_segment(source, node) or ""):
                lines.append(node.lineno)
    return sorted(lines)


def test_no_test_skips_on_the_database_by_hand():
    """`@pytest.mark.postgres` is the only way: the root conftest's hook turns it into the skip."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == Path(conftest.__file__) or not ("tests" in path.parts or path.name == "conftest.py"):
            continue
        found += [f"{path.relative_to(ROOT)}:{line}" for line in hand_made_skips(path.read_text())]
    assert found == [], "use @pytest.mark.postgres instead"


def test_the_scan_finds_the_skips_it_forbids():
    source = """
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
def test_a(): pass
pytestmark = [pytest.mark.skipif(connection.vendor == "sqlite", reason="x")]
def test_b():
    if connection.vendor == "sqlite":
        pytest.skip("needs PostgreSQL")
@pytest.mark.skip(reason="PostgreSQL only")
def test_c(): pass
@pytest.mark.skipif(sys.platform == "win32", reason="no fork")
def test_d(): pytest.skip("the network is down")
"""
    assert hand_made_skips(source) == [2, 4, 7, 8]


def test_the_postgres_marker_skips_on_sqlite_only(request):
    marked = [item for item in request.session.items if item.get_closest_marker("postgres")]
    skipped = [item for item in marked if any(mark.name == "skip" for mark in item.iter_markers())]
    assert marked, "the suite has PostgreSQL-only tests"
    assert skipped == ([] if connection.vendor == "postgresql" else marked)


@pytest.mark.postgres
def test_a_marked_test_runs_on_postgresql():
    assert connection.vendor == "postgresql"


# --- random order ----------------------------------------------------------------------------------


def _sql(run) -> str:
    with CaptureQueriesContext(connection) as queries:
        run()
    return "\n".join(query["sql"] for query in queries.captured_queries).upper()


def _shuffled(sql: str) -> bool:
    return bool(re.search(r"ORDER BY RAND(OM)?\(\)", sql))


@pytest.mark.django_db
def test_an_unordered_query_comes_back_shuffled():
    assert _shuffled(_sql(lambda: list(Entry.objects.all())))
    assert _shuffled(_sql(lambda: list(Entry.objects.values("account_id").annotate(n=Count("pk")))))


@pytest.mark.django_db
def test_ordered_counted_and_distinct_queries_are_left_alone():
    assert not _shuffled(_sql(lambda: list(Entry.objects.order_by("pk"))))
    assert not _shuffled(_sql(lambda: list(Entry.objects.order_by())))  # "any order will do", said on purpose
    assert not _shuffled(_sql(lambda: Entry.objects.filter(pk=0).first()))  # first() orders by pk
    assert not _shuffled(_sql(lambda: list(Account.objects.all())))  # Meta.ordering
    assert not _shuffled(_sql(lambda: Entry.objects.count()))
    assert not _shuffled(_sql(lambda: Entry.objects.exists()))
    assert not _shuffled(_sql(lambda: Entry.objects.aggregate(total=Sum("amount_cents"))))
    assert not _shuffled(_sql(lambda: list(Entry.objects.values("account_id").distinct())))
    assert not _shuffled(_sql(lambda: Membership.objects.filter(pk__in=Membership.objects.values("pk")).delete()))


@pytest.mark.django_db
def test_unions_and_subqueries_still_run_on_both_databases(funder_admin, funder_member):
    users = User.objects.values_list("pk", flat=True)
    assert len(list(users.filter(pk=funder_admin.pk).union(users.filter(pk=funder_member.pk)))) == 2
    assert Organisation.objects.filter(pk__in=Membership.objects.values("organisation_id")).count() == 1
    assert User.objects.filter(pk__in=Membership.objects.values("user_id")).update(full_name="Dominique") == 2
    assert Membership.objects.filter(user__in=User.objects.filter(pk=funder_member.pk)).delete()[0] == 1
    assert len(list(Membership.objects.select_for_update())) == 1


# --- the books after each test ---------------------------------------------------------------------


def _money_without_its_document(funder):
    ledger.transaction_post(
        kind="payment",
        description="Virement saisi à la main, sans facture",
        reference="payment:manual",
        lines=[(ledger.platform_account("platform:bank"), 500), (ledger.funder_account(funder), -500)],
    )


def _after_the_test(item):
    """Run the root conftest's pytest_runtest_call around a test body that has just passed."""
    hook = conftest.pytest_runtest_call(item)
    next(hook)
    with pytest.raises(StopIteration):
        hook.send(None)


@pytest.mark.ledger_breach
@pytest.mark.django_db
def test_a_test_that_leaves_the_books_in_breach_fails(funder, request):
    before = guards.ledger_size()
    _money_without_its_document(funder)
    assert any(f"Commanditaire n° {funder.pk}" in breach for breach in guards.ledger_breaches())
    with pytest.raises(pytest.fail.Exception, match=f"Commanditaire n° {funder.pk} : -500 centimes"):
        _after_the_test(SimpleNamespace(stash={conftest.LEDGER_BEFORE: before}))


@pytest.mark.ledger_breach
@pytest.mark.django_db
def test_the_books_are_checked_only_when_the_ledger_moved(funder, monkeypatch):
    _money_without_its_document(funder)
    monkeypatch.setattr(guards, "ledger_breaches", lambda: pytest.fail("checked although nothing moved"))
    _after_the_test(SimpleNamespace(stash={conftest.LEDGER_BEFORE: guards.ledger_size()}))
    _after_the_test(SimpleNamespace(stash={}))  # a test without the database


def test_the_check_is_noted_for_the_tests_of_the_database_only(request):
    assert conftest.LEDGER_BEFORE not in request.node.stash


@pytest.mark.django_db
def test_a_test_of_the_database_notes_the_ledger(request):
    assert request.node.stash[conftest.LEDGER_BEFORE] == 0


# --- races -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_race_runs_every_call_at_once_and_hands_back_each_outcome():
    together = threading.Barrier(4, timeout=30)  # passes only when the four calls run at the same time

    def call(n):
        together.wait()
        if n == 2:
            raise ValueError("refusé")
        return n

    outcomes = race(*[lambda n=n: call(n) for n in range(4)])
    assert outcomes[:2] == [0, 1] and outcomes[3] == 3
    assert isinstance(outcomes[2], ValueError)


@pytest.mark.django_db
def test_a_race_fails_when_a_worker_never_finishes():
    stuck = threading.Event()
    with pytest.raises(AssertionError, match="1 of 2 workers still running"):
        race(lambda: None, lambda: stuck.wait(10), timeout=2)
    stuck.set()
