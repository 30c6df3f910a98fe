"""Bad input in the provider's forms: a French message next to the field, a 400, nothing written."""

import re

import pytest
from django.urls import reverse

from aptic.core.tests.helpers import text
from aptic.places.models import Offer, Place

from .factories import OfferFactory, PlaceFactory
from .helpers import offer_data, place_data

pytestmark = pytest.mark.django_db


def url(name, organisation, **kwargs):
    return reverse(f"places:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def field_errors(response, field: str) -> str:
    """The error list rendered for one field (Django gives it the id id_<field>_error)."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', text(response), re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


def _counts():
    return Place.objects.count(), Offer.objects.count(), Place.publics.through.objects.count()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("commune", "Nulle-Part-sur-Rien", "Aucune commune ne correspond à « Nulle-Part-sur-Rien »."),
        ("commune", "Saint-Denis", "Plusieurs communes correspondent à « Saint-Denis »"),
        ("commune", "", "Indiquez une commune."),
        ("commune", "Lyon\x00", "caractères non valides"),
        ("latitude", "123", "La latitude 123 est impossible : elle est comprise entre -90 et 90."),
        ("latitude", "abc", "Indiquez la latitude en degrés décimaux"),
        ("longitude", "-190", "La longitude -190 est impossible"),
        ("latitude", "4,3872", "sont à"),  # latitude and longitude swapped: thousands of km away
        ("opening_hours", "Mo-Fr 25:00-12:00", "ne suivent pas la syntaxe OpenStreetMap"),
        ("opening_hours", "tous les jours", "ne suivent pas la syntaxe OpenStreetMap"),
        ("opening_hours", "Mo-Fr 09:00-12:00;" * 40, "trop longs"),
        ("phone", "12", "Le numéro de téléphone « 12 » n'est pas valide."),
        ("phone", "+1 202 555 0123", "n'est pas valide"),
        ("summary", "x" * 281, "La présentation courte dépasse 280 caractères (281)"),
        ("name", "", "Indiquez le nom du lieu."),
        ("name", "x" * 201, "au plus 200 caractères"),
        ("address", "", "Indiquez l'adresse du lieu"),
        ("postal_code", "69001", "Le code postal 69001 n'est pas celui de Saint-Étienne"),
        ("email", "pas-une-adresse", "L'adresse e-mail « pas-une-adresse » n'est pas valide."),
        ("website", "javascript:alert(1)", "n'est pas valide (https://…)"),
        ("booking_url", "ftp://exemple.fr", "n'est pas valide (https://…)"),
        ("acceslibre_url", "https://" + "a" * 250 + ".fr", "au plus 200 caractères"),
        ("typologies", ["999999"], "Sélectionnez un choix valide"),
        ("is_mobile", "2", "Indiquez si le lieu est fixe ou itinérant."),
    ],
)
def test_place_creation_refuses_bad_input(client, provider, provider_admin, field, value, message):
    client.force_login(provider_admin)
    before = _counts()
    response = client.post(url("create", provider), place_data(**{field: value}))
    assert response.status_code == 400
    assert message in field_errors(response, field), text(response)
    assert "<title>Erreur : " in text(response)
    assert _counts() == before


def test_duplicated_place_name(client, provider, provider_admin):
    PlaceFactory(provider=provider, name="Médiathèque Tarentaize")
    PlaceFactory(name="Espace numérique")  # another provider may use a name
    client.force_login(provider_admin)
    before = _counts()
    response = client.post(url("create", provider), place_data())
    assert response.status_code == 400
    assert "Votre structure a déjà un lieu nommé « Médiathèque Tarentaize »." in field_errors(response, "name")
    assert _counts() == before
    assert client.post(url("create", provider), place_data(name="Espace numérique")).status_code == 302


def test_renaming_a_place_to_a_sibling_name_is_refused(client, provider, provider_admin):
    PlaceFactory(provider=provider, name="Médiathèque Tarentaize")
    other = PlaceFactory(provider=provider, name="Annexe", opening_hours="Mo 10:00-12:00")
    client.force_login(provider_admin)
    response = client.post(url("edit", provider, pk=other.pk), place_data(opening_hours="We 10:00-12:00"))
    assert response.status_code == 400
    assert "déjà un lieu nommé" in field_errors(response, "name")
    other.refresh_from_db()
    assert (other.name, other.opening_hours) == ("Annexe", "Mo 10:00-12:00")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "123", "La latitude 123 est impossible"),
        ("opening_hours", "tous les jours", "ne suivent pas la syntaxe OpenStreetMap"),
        ("phone", "12", "n'est pas valide"),
        ("summary", "é" * 300, "dépasse 280 caractères"),
        ("commune", "Nulle-Part-sur-Rien", "Aucune commune ne correspond"),
    ],
)
def test_place_edit_refuses_the_same_bad_input_and_changes_nothing(
    client, provider, provider_admin, field, value, message
):
    place = PlaceFactory(provider=provider, name="Médiathèque Tarentaize", opening_hours="Tu-Sa 10:00-18:00")
    client.force_login(provider_admin)
    response = client.post(url("edit", provider, pk=place.pk), place_data(name="Nouveau nom", **{field: value}))
    assert response.status_code == 400
    assert message in field_errors(response, field)
    place.refresh_from_db()
    assert (place.name, place.opening_hours) == ("Médiathèque Tarentaize", "Tu-Sa 10:00-18:00")
    assert place.publics.count() == 0  # the M2M part of the update was not written either


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "-5", "Le prix ne peut pas être négatif."),
        ("price", "abc", "Indiquez le prix en euros, par exemple 12,50"),
        ("price", "1e12", "Indiquez le prix en euros, par exemple 12,50"),
        ("price", "1000000000000", "Ce prix est trop élevé"),
        ("price", "100000,01", "Ce prix est trop élevé"),
        ("price", "9" * 40, "Indiquez le prix en euros"),
        ("price", "NaN", "Indiquez le prix en euros"),
        ("price", "", "Indiquez le prix en euros (0 si le service est gratuit)."),
        ("duration_minutes", "0", "La durée doit être comprise entre 1 minute et 24 heures"),
        ("duration_minutes", "-30", "La durée doit être comprise entre 1 minute et 24 heures"),
        ("duration_minutes", "1441", "La durée doit être comprise entre 1 minute et 24 heures"),
        ("duration_minutes", "99999999999999999999", "La durée doit être comprise entre 1 minute et 24 heures"),
        ("duration_minutes", "1h30", "Indiquez la durée en minutes, par exemple 90 pour 1 h 30."),
        ("format", "webinar", "Choisissez le format du service dans la liste."),
        ("category", "999999", "Choisissez la catégorie du service dans la liste."),
        ("title", "   ", "Indiquez l'intitulé du service."),
    ],
)
def test_offer_creation_refuses_bad_input(client, provider, provider_admin, field, value, message):
    place = PlaceFactory(provider=provider)
    client.force_login(provider_admin)
    before = _counts()
    response = client.post(url("offer_create", provider, pk=place.pk), offer_data(**{field: value}))
    assert response.status_code == 400
    assert message in field_errors(response, field), text(response)
    assert _counts() == before


def test_duplicated_offer_title_on_create_and_edit(client, provider, provider_admin):
    place = PlaceFactory(provider=provider)
    OfferFactory(place=place, title="Accompagnement aux démarches en ligne")
    other = OfferFactory(place=place, title="Atelier smartphone", price_cents=500)
    OfferFactory(title="Atelier tablette")  # same title at another place is fine
    client.force_login(provider_admin)
    before = _counts()
    response = client.post(url("offer_create", provider, pk=place.pk), offer_data())
    assert response.status_code == 400
    assert "Ce lieu propose déjà un service nommé « Accompagnement aux démarches en ligne »." in field_errors(
        response, "title"
    )
    assert _counts() == before
    response = client.post(url("offer_edit", provider, pk=place.pk, offer_pk=other.pk), offer_data(price="20"))
    assert response.status_code == 400
    other.refresh_from_db()
    assert (other.title, other.price_cents) == ("Atelier smartphone", 500)
    response = client.post(url("offer_create", provider, pk=place.pk), offer_data(title="Atelier tablette"))
    assert response.status_code == 302


def test_offer_edit_refuses_a_negative_price_and_changes_nothing(client, provider, provider_admin):
    offer = OfferFactory(place=PlaceFactory(provider=provider), price_cents=1500, duration_minutes=60)
    client.force_login(provider_admin)
    edit = url("offer_edit", provider, pk=offer.place_id, offer_pk=offer.pk)
    response = client.post(edit, offer_data(price="-1", duration_minutes="30"))
    assert response.status_code == 400
    assert "Le prix ne peut pas être négatif." in field_errors(response, "price")
    # The summary on top links each error to its field.
    assert '<a href="#id_price">Prix TTC, en euros</a> : Le prix ne peut pas être négatif.' in text(response)
    offer.refresh_from_db()
    assert (offer.price_cents, offer.duration_minutes) == (1500, 60)


def test_an_empty_post_is_a_400_not_a_crash(client, provider, provider_admin):
    place = PlaceFactory(provider=provider)
    client.force_login(provider_admin)
    before = _counts()
    assert client.post(url("create", provider), {}).status_code == 400
    assert client.post(url("offer_create", provider, pk=place.pk), {}).status_code == 400
    assert client.post(url("publish", provider, pk=place.pk), {}).status_code == 302  # no value: hide
    assert _counts() == before
