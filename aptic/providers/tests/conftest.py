"""Fixtures of the provider's journey: a structure with its people, staff, the vocabulary."""

import pytest

from .factories import ProviderFactory, admin_of, member_of


@pytest.fixture
def structure(commune):
    """A provider (structure) in state pending, in Saint-Étienne."""
    return ProviderFactory(organisation__commune=commune)


@pytest.fixture
def structure_admin(structure):
    return admin_of(structure)


@pytest.fixture
def structure_member(structure):
    return member_of(structure)


@pytest.fixture
def qualified(commune):
    return ProviderFactory(organisation__commune=commune, status="qualified")


@pytest.fixture
def qualified_admin(qualified):
    return admin_of(qualified)


@pytest.fixture
def data(commune, vocabulary):
    """The public sign-up form, filled in (test_apply, test_apply_throttle)."""
    from aptic.vocabulary.models import PlaceTypology

    return {
        "siret": "73282932000074",
        "name": "Médiathèque du Forez",
        "address": "3 place de l'Hôtel de Ville",
        "commune": commune.label,
        "typology": str(PlaceTypology.objects.get(code="bib").pk),
        "legal_category": "commune",
        "contact_name": "Rania Bertrand",
        "email": "rania.bertrand@exemple.fr",
        "phone": "04 77 12 34 56",
        "website": "",
    }
