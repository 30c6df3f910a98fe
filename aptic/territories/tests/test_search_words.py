"""What people type on the way to a commune: 'sain…', one-letter names, codes."""

import pytest

from aptic.territories.models import Commune
from aptic.territories.selectors import SearchError, resolve_commune, search_communes

pytestmark = pytest.mark.django_db


def names(communes):
    return [c.name for c in communes]


@pytest.mark.parametrize("typed", ["sain", "sai", "Saint", "ST", "sain eti", "Saint-Ét"])
def test_saint_communes_come_while_typing_the_word(typed):
    assert "Saint-Étienne" in names(search_communes(typed))


def test_the_whole_word_saint_does_not_match_strasbourg():
    assert "Strasbourg" not in names(search_communes("saint"))
    assert "Strasbourg" in names(search_communes("stras"))


def test_a_one_letter_commune_is_found_by_its_name():
    assert [c.insee_code for c in search_communes("Y")] == ["80829"]
    assert search_communes("q") == []


def test_five_digits_are_a_postal_code_first_then_an_insee_code():
    assert names(search_communes("75056")) == ["Paris"]
    assert resolve_commune("69003").insee_code == "69123"  # Lyon 3e, not Affoux (INSEE 69003)
    assert resolve_commune("75056").insee_code == "75056"


def test_a_retired_commune_cannot_be_picked_any_more():
    Commune.objects.filter(insee_code="42218").update(is_current=False)
    with pytest.raises(SearchError):
        resolve_commune("Saint-Étienne (42000) – 42218")
