"""Simultaneous requests, each on its own connection: one wins, the others get a French refusal.
PostgreSQL only (SQLite serialises writers by design)."""

import threading

import pytest
from django.db import connection, connections

from aptic.core.errors import DomainError
from aptic.providers import selectors, services
from aptic.providers.models import Provider, Submission

from .factories import best_answers

ATTEMPTS = 8

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks and real connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def race(action) -> list[str]:
    start = threading.Barrier(ATTEMPTS)
    outcomes, lock = [], threading.Lock()

    def attempt(n):
        try:
            start.wait()
            action(n)
            outcome = "ok"
        except DomainError as exc:
            outcome = exc.message
        except Exception as exc:  # noqa: BLE001 (any other failure must show in the assertion)
            outcome = f"error: {type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == ATTEMPTS
    return outcomes


def test_simultaneous_requests_with_one_siret_give_one_structure(commune):
    def apply(n):
        services.provider_apply(
            siret="73282932000074",
            name=f"Fablab {n}",
            address="1 rue Haute",
            commune=commune,
            typology=None,
            legal_category="association",
            contact_name="Jules Petit",
            email=f"contact{n}@exemple.fr",
            phone="0477123456",
        )

    outcomes = race(apply)
    assert outcomes.count("ok") == 1, sorted(set(outcomes))
    assert all(o == "ok" or "est déjà inscrite sur #APTIC" in o for o in outcomes), sorted(set(outcomes))
    assert Provider.objects.count() == 1


def test_a_questionnaire_sent_several_times_at_once_is_recorded_once(structure, structure_admin):
    answers = best_answers(selectors.active_questionnaire())
    outcomes = race(lambda n: services.submission_create(provider=structure, answers=answers, user=structure_admin))
    assert outcomes.count("ok") == 1, sorted(set(outcomes))
    assert all(o == "ok" or "en cours d'examen" in o for o in outcomes), sorted(set(outcomes))
    assert Submission.objects.count() == 1
    structure.refresh_from_db()
    assert structure.status == "review"
