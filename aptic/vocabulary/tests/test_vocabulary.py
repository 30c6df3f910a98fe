"""The national standard's vocabulary, loaded as data that staff can extend."""

import json

import pytest
from django.core.management import call_command

from aptic.vocabulary.models import AccessMode, PlaceTypology, Public, ServiceCategory, SupportMode
from aptic.vocabulary.services import DATA_DIR, SCHEMA_FILE, enumeration_from_pattern, vocabulary_load

NINE_CATEGORIES = [
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
]


def test_enumeration_from_pattern_unescapes():
    pattern = r"(?:(?:^|\|)(Surdité|Langues étrangères \(anglais\)|Autre))+$"
    assert enumeration_from_pattern(pattern) == ["Surdité", "Langues étrangères (anglais)", "Autre"]
    with pytest.raises(ValueError):
        enumeration_from_pattern("^\\d{5}$")


def test_the_shipped_schema_is_the_national_standard_1_0_2():
    schema = json.loads((DATA_DIR / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema["name"] == "standard-mediation-num" and schema["version"] == "v1.0.2"


@pytest.mark.django_db
def test_load_gives_the_nine_categories_in_order_and_every_kind():
    counts = vocabulary_load()
    assert list(ServiceCategory.objects.values_list("standard_value", flat=True)) == NINE_CATEGORIES
    assert set(Public.objects.values_list("label", flat=True)) == {
        "Jeunes",
        "Étudiants",
        "Familles et/ou enfants",
        "Seniors",
        "Femmes",
    }
    assert AccessMode.objects.filter(standard_value="Prendre un RDV en ligne").exists()
    assert SupportMode.objects.count() == 4
    assert PlaceTypology.objects.get(standard_value="TIERS_LIEUX").label == "Tiers lieu & coworking"
    assert PlaceTypology.objects.filter(standard_value__in=["EPN", "BIB", "FABLAB", "RFS", "CCAS"]).count() == 5
    assert sum(counts.values()) == 9 + 5 + 6 + 4 + PlaceTypology.objects.count()


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_keeps_staff_additions(capsys):
    vocabulary_load()
    staff_term = ServiceCategory.objects.create(code="atelier-ia", label="Comprendre l'intelligence artificielle")
    assert vocabulary_load() is None
    assert vocabulary_load(force=True) is not None
    assert ServiceCategory.objects.count() == 10
    staff_term.refresh_from_db()
    assert not staff_term.from_standard and staff_term.standard_value == ""
    call_command("load_vocabulary")
    assert "Vocabulaire déjà à jour." in capsys.readouterr().out


@pytest.mark.django_db
def test_staff_extend_the_vocabulary_in_the_back_office(client):
    from aptic.core.tests.factories import UserFactory

    vocabulary_load()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/back-office/vocabulary/servicecategory/add/",
        {
            "code": "reemploi",
            "label": "Réemploi du matériel",
            "standard_value": "",
            "description": "",
            "position": 10,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ServiceCategory.objects.get(code="reemploi").label == "Réemploi du matériel"
    standard = ServiceCategory.objects.get(standard_value=NINE_CATEGORIES[0])
    page = client.get(f"/back-office/vocabulary/servicecategory/{standard.pk}/change/").content.decode()
    assert 'name="standard_value"' not in page  # read-only for the standard's own terms
