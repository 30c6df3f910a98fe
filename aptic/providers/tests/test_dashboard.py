"""The provider's landing page: where it stands on the way to 'labelled', with links to each step."""

from django.urls import reverse

from aptic.core.tests.helpers import text
from aptic.places import services as places
from aptic.providers import selectors
from aptic.vocabulary.models import ServiceCategory

from .factories import KitShipmentFactory, SubscriptionFactory, accept_charter


def url(provider):
    return reverse("providers:dashboard", kwargs={"org_slug": provider.organisation.slug})


def test_a_new_structure_sees_what_is_missing_with_links(client, structure, structure_member):
    client.force_login(structure_member)
    html = text(client.get(url(structure)))
    slug = structure.organisation.slug
    assert "Labellisée #APTIC : non" in html
    assert f'<a href="/espace/{slug}/qualification/">Être qualifiée #APTIC</a> : à faire' in html
    assert f'<a href="/espace/{slug}/charte/">Accepter la charte en vigueur</a> : à faire' in html
    assert f'<a href="/espace/{slug}/abonnement/">Avoir un abonnement en cours</a> : à faire' in html
    assert "Pas encore expédié" in html and "0 lieu —" in html and "0 service" in html


def test_a_labelled_structure_sees_it_with_its_places_and_offers(client, qualified, qualified_admin, vocabulary):
    accept_charter(qualified)
    SubscriptionFactory(provider=qualified, payment_method="netting", started_on=selectors.today())
    KitShipmentFactory(provider=qualified, tracking="Colissimo 6A999")
    commune = qualified.organisation.commune
    place = places.place_create(
        provider=qualified.organisation, name="Atelier du centre", address="1 rue Haute", commune=commune
    )
    places.place_create(provider=qualified.organisation, name="Antenne nord", address="2 rue Basse", commune=commune)
    category = ServiceCategory.objects.first()
    places.offer_create(
        place=place, category=category, title="Premiers pas", price_cents=1000, duration_minutes=60, format="individual"
    )
    client.force_login(qualified_admin)
    html = text(client.get(url(qualified)))
    assert "Labellisée #APTIC : oui" in html
    assert "Être qualifiée #APTIC : fait" in html and "à faire" not in html
    assert "Version 1 acceptée le" in html
    assert "Mois gratuit" in html and "Déduit des remboursements de chèques".lower() in html
    assert "Colissimo 6A999" in html
    assert "2 lieux" in html and "1 service" in html


def test_the_last_score_and_status_are_shown(client, structure, structure_admin):
    from aptic.providers import services

    from .factories import worst_answers

    services.submission_create(
        provider=structure, answers=worst_answers(selectors.active_questionnaire()), user=structure_admin
    )
    client.force_login(structure_admin)
    html = text(client.get(url(structure)))
    assert "En attente du questionnaire qualité" in html and "dernier score : 0\xa0%" in html
