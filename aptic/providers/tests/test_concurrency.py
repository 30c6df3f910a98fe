"""Simultaneous requests, each on its own connection: one wins, the others get a French refusal.
PostgreSQL only (SQLite serialises writers by design)."""

import pytest

from aptic.core.errors import DomainError
from aptic.core.tests.race import race
from aptic.providers import selectors, services
from aptic.providers.models import Provider, Submission

from .factories import best_answers

ATTEMPTS = 8

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def attempts(action) -> list[str]:
    """`action(n)` for n in 0..ATTEMPTS-1, at once: "ok" or the message of each refusal."""
    return [said(outcome) for outcome in race(*[lambda n=n: action(n) for n in range(ATTEMPTS)])]


def said(outcome) -> str:
    if not isinstance(outcome, Exception):
        return "ok"
    return outcome.message if isinstance(outcome, DomainError) else f"error: {type(outcome).__name__}: {outcome}"


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

    outcomes = attempts(apply)
    assert outcomes.count("ok") == 1, sorted(set(outcomes))
    assert all(o == "ok" or "est déjà inscrite sur #APTIC" in o for o in outcomes), sorted(set(outcomes))
    assert Provider.objects.count() == 1


def test_a_questionnaire_sent_several_times_at_once_is_recorded_once(structure, structure_admin):
    answers = best_answers(selectors.active_questionnaire())
    outcomes = attempts(lambda n: services.submission_create(provider=structure, answers=answers, user=structure_admin))
    assert outcomes.count("ok") == 1, sorted(set(outcomes))
    assert all(o == "ok" or "en cours d'examen" in o for o in outcomes), sorted(set(outcomes))
    assert Submission.objects.count() == 1
    structure.refresh_from_db()
    assert structure.status == "review"
