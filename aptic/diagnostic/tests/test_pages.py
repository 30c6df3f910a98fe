"""The public diagnostic pages of each level, the funder's page closed to other funders, and bad
input (malformed or unknown codes, overseas communes, no place, no inhabitant, no computation)."""

import pytest
from django.urls import reverse

from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.diagnostic.models import CommuneSummary, Run
from aptic.places.tests.factories import labelled_place
from aptic.territories.models import Commune

from .places import BORDEAUX_METROPOLE


def url(level, code=None, **query):
    path = reverse(f"diagnostic:{level}", kwargs={"code": code} if code else None)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("level", "code", "title", "parent"),
    [
        ("france", None, "France", None),
        ("region", "75", "Nouvelle-Aquitaine", "Diagnostic de la France"),
        ("departement", "33", "Gironde (33)", "Diagnostic de la région Nouvelle-Aquitaine"),
        ("epci", BORDEAUX_METROPOLE, "Bordeaux Métropole", "Diagnostic du département Gironde (33)"),
        ("commune", "33063", "Bordeaux", "Diagnostic de l’intercommunalité Bordeaux Métropole"),
    ],
)
def test_every_level_has_its_page(client, computed, level, code, title, parent):
    response = client.get(url(level, code))
    assert response.status_code == 200
    page = text(response)
    assert f"<h1>Diagnostic territorial : {title}</h1>" in page
    if parent:
        assert parent in page
    for section in ("Services manquants", "Lieux par catégorie de service", "Habitants éloignés des lieux",
                    "Utilisations des chèques pour 1", "Besoins de formation et publics prioritaires",
                    "Carte des communes", "en ligne droite"):  # fmt: skip
        assert section in page, section
    for category in computed["categories"]:
        assert category.label in page
    # The last category is offered nowhere: it is missing everywhere.
    assert f"<strong>{computed['categories'][-1].label}</strong> : aucun lieu du territoire ne le propose" in page


@pytest.mark.django_db
def test_the_map_category_comes_from_the_url_and_the_table_lists_the_communes(client, computed):
    nowhere = computed["categories"][-1]
    page = text(client.get(url("epci", BORDEAUX_METROPOLE, categorie=nowhere.code)))
    assert f"le plus proche qui propose « {nowhere.label} »" in page
    communes = Commune.objects.filter(epci_id=BORDEAUX_METROPOLE, is_current=True)
    table = page[page.index('id="communes-table"') : page.index('id="moins-couvertes"')]
    for commune in communes:
        assert f"{commune.name}</a></th>" in table
    assert table.count('<td class="num">aucun lieu</td>') == communes.count()
    assert f'<a href="{url("commune", "33281")}">Mérignac</a>' in page
    # An unknown category: the first one, and the form says what is wrong.
    response = client.get(url("epci", BORDEAUX_METROPOLE, categorie="pas-une-categorie"))
    assert response.status_code == 400
    assert f"« {computed['categories'][0].label} »" in text(response)


@pytest.mark.django_db
def test_the_least_covered_communes_are_ranked(client, computed):
    page = text(client.get(url("departement", "33")))
    ranked = list(
        CommuneSummary.objects.filter(commune__departement_id="33")
        .order_by("-far_categories", "-commune__population", "commune_id")
        .values_list("commune__name", flat=True)[:10]
    )
    positions = [page.index(f'>{name}</a></th><td class="num">', page.index("moins-couvertes")) for name in ranked]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_the_menu_and_the_place_page_lead_to_the_diagnostic(client, computed):
    home = text(client.get(reverse("site:home")))
    assert f'href="{reverse("diagnostic:france")}"' in home
    found = client.get(reverse("diagnostic:france"), {"commune": "Mérignac (33700)"})
    assert found.status_code == 302 and found["Location"] == url("commune", "33281")
    commune_card = text(client.get(reverse("territories:commune", kwargs={"insee_code": "33281"})))
    assert url("commune", "33281") in commune_card
    place = labelled_place(commune=Commune.objects.get(pk="33281"))
    place_page = text(client.get(reverse("directory:detail", kwargs={"pk": place.pk})))
    assert f'<a href="{url("commune", "33281")}">Diagnostic territorial de Mérignac</a>' in place_page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/diagnostic/regions/7/",
        "/diagnostic/regions/99/",
        "/diagnostic/departements/2C/",
        "/diagnostic/departements/99/",
        "/diagnostic/departements/975/",
        "/diagnostic/intercommunalites/24330031/",
        "/diagnostic/intercommunalites/999999999/",
        "/diagnostic/communes/3306/",
        "/diagnostic/communes/99999/",
        "/diagnostic/communes/33%00/",
        "/diagnostic/communes/" + "3" * 300 + "/",
    ],
)
def test_malformed_or_unknown_codes_are_a_french_404(client, computed, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page introuvable" in text(response)


@pytest.mark.django_db
def test_overseas_no_inhabitant_and_no_place_give_pages_not_errors(client, computed):
    # Saint-Denis (La Réunion): no place within thousands of km.
    reunion = text(client.get(url("commune", "97411")))
    assert "Saint-Denis" in reunion and "aucun lieu du territoire ne le propose" in reunion
    mayotte = client.get(url("departement", "976"))
    assert mayotte.status_code == 200
    # Beaumont-en-Verdunois, a commune "mort pour la France": no inhabitant, no rate.
    empty = text(client.get(url("commune", "55039")))
    assert "inconnue ou nulle" in empty
    assert client.get(url("epci", Commune.objects.get(pk="55039").epci_id)).status_code == 200


@pytest.mark.django_db
def test_before_any_computation_the_page_says_so(client, computed):
    Run.objects.all().delete()  # rolled back after the test
    response = client.get(url("departement", "33"))
    assert response.status_code == 200
    assert "n'a pas encore été calculé" in text(response)


@pytest.mark.django_db
def test_the_funder_sees_its_territory_and_other_funders_are_refused(client, computed):
    gironde = OrganisationFactory(kind="funder", name="Département de la Gironde", commune_id="33063")
    member = MembershipFactory(organisation=gironde, role="member").user
    other = MembershipFactory(organisation=OrganisationFactory(kind="funder", commune_id="42218")).user
    path = reverse("diagnostic:funder", kwargs={"org_slug": gironde.slug})
    client.force_login(member)
    page = text(client.get(path))
    assert "<h1>Diagnostic territorial : Gironde (33)</h1>" in page and "Vos chèques utilisés" in page
    client.force_login(other)
    assert client.get(path).status_code == 403
    client.logout()
    assert client.get(path).status_code == 302
    nowhere = OrganisationFactory(kind="funder", name="Sans siège")
    client.force_login(MembershipFactory(organisation=nowhere).user)
    page = text(client.get(reverse("diagnostic:funder", kwargs={"org_slug": nowhere.slug})))
    assert "n'est pas connu" in page


@pytest.mark.django_db
def test_a_commune_that_cannot_be_found_is_said_on_the_france_page(client, computed):
    response = client.get(reverse("diagnostic:france"), {"commune": "Pas une commune du tout"})
    assert response.status_code == 400
    assert "Aucune commune ne correspond" in text(response)
