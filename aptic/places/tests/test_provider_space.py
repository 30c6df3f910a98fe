"""The provider space: its members create, edit, hide places and their offers; nobody else can."""

import pytest
from django.urls import reverse

from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.places.models import Offer, Place
from aptic.vocabulary.models import Public, ServiceCategory

from .factories import OfferFactory, PlaceFactory, commune
from .helpers import offer_data, place_data

pytestmark = pytest.mark.django_db


def url(name, organisation, **kwargs):
    return reverse(f"places:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def test_list_shows_places_with_offer_counts_and_visibility(client, provider, provider_admin):
    shown = PlaceFactory(provider=provider, name="Médiathèque")
    hidden = PlaceFactory(provider=provider, name="Permanence du marché", is_published=False)
    OfferFactory(place=shown)
    OfferFactory(place=shown)
    OfferFactory(place=shown, is_active=False)
    PlaceFactory(name="Lieu d'une autre structure")
    client.force_login(provider_admin)
    response = client.get(url("mine", provider))
    html = text(response)
    assert response.status_code == 200
    assert "Fablab de test : 2 lieux" in html
    assert "Médiathèque" in html and hidden.name in html
    assert "Lieu d'une autre structure" not in html
    assert "Visible" in html and "Masqué" in html
    assert "(3 au total)" in html
    assert url("create", provider) in html
    assert 'role="region" tabindex="0" aria-labelledby="cap-lieux"' in html


def test_unlabelled_provider_is_told_when_its_places_will_be_public(client, db):
    organisation = OrganisationFactory(kind="provider")
    admin = MembershipFactory(organisation=organisation, role="admin").user
    client.force_login(admin)
    assert "dès que votre structure sera labellisée" in text(client.get(url("mine", organisation)))


def test_admin_creates_a_place_with_every_field(client, provider, provider_admin):
    client.force_login(provider_admin)
    assert client.get(url("create", provider)).status_code == 200
    data = place_data(
        description="Au deuxième étage.",
        acceslibre_url="https://acceslibre.beta.gouv.fr/app/42-saint-etienne/a/bibliotheque/erp/mediatheque/",
        booking_url="https://rdv.exemple.fr/",
        support_modes=[],
    )
    response = client.post(url("create", provider), data)
    place = Place.objects.get(provider=provider)
    assert response.status_code == 302
    assert response.url == url("manage", provider, pk=place.pk)
    assert place.name == "Médiathèque Tarentaize"
    assert place.commune_id == "42218" and place.postal_code == "42000"
    assert (place.latitude, place.longitude) == (45.4397, 4.3872)
    assert place.phone == "+33477430977"
    assert place.opening_hours == "Tu-Sa 10:00-18:00; PH off"
    assert place.is_published and not place.is_mobile
    assert [t.standard_value for t in place.typologies.all()] == ["BIB"]
    assert [p.standard_value for p in place.publics.all()] == ["Seniors"]
    assert place.acceslibre_url.startswith("https://acceslibre")
    page = text(client.get(response.url))
    assert "est enregistré" in page
    assert "04 77 43 09 77" in page


def test_empty_coordinates_take_the_commune_centre(client, provider, provider_admin):
    client.force_login(provider_admin)
    client.post(url("create", provider), place_data(latitude="", longitude="", postal_code=""))
    place = Place.objects.get(provider=provider)
    saint_etienne = commune("42218")
    assert (place.latitude, place.longitude) == (saint_etienne.latitude, saint_etienne.longitude)
    assert place.postal_code == "42000"


def test_mobile_place_may_have_no_address(client, provider, provider_admin):
    client.force_login(provider_admin)
    response = client.post(url("create", provider), place_data(is_mobile="1", address=""))
    assert response.status_code == 302
    assert Place.objects.get(provider=provider).is_mobile


def test_member_who_is_not_admin_manages_places_and_offers(client, provider, provider_member):
    client.force_login(provider_member)
    assert client.post(url("create", provider), place_data()).status_code == 302
    place = Place.objects.get(provider=provider)
    assert client.post(url("offer_create", provider, pk=place.pk), offer_data()).status_code == 302
    assert place.offers.count() == 1


def test_edit_changes_the_place_and_keeps_what_is_not_touched(client, provider, provider_admin):
    client.force_login(provider_admin)
    client.post(url("create", provider), place_data())
    place = Place.objects.get(provider=provider)
    form_page = text(client.get(url("edit", provider, pk=place.pk)))
    assert 'value="Médiathèque Tarentaize"' in form_page
    assert 'value="45,4397"' in form_page
    assert "Saint-Étienne (42000) – 42218" in form_page
    response = client.post(
        url("edit", provider, pk=place.pk),
        place_data(name="Médiathèque de Tarentaize", opening_hours="Mo-Fr 09:00-12:00", publics=[]),
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.name == "Médiathèque de Tarentaize"
    assert place.opening_hours == "Mo-Fr 09:00-12:00"
    assert place.publics.count() == 0
    assert place.typologies.count() == 1
    assert (place.latitude, place.longitude) == (45.4397, 4.3872)


def test_moving_a_place_to_another_commune_recentres_it(client, provider, provider_admin):
    client.force_login(provider_admin)
    client.post(url("create", provider), place_data())
    place = Place.objects.get(provider=provider)
    response = client.post(url("edit", provider, pk=place.pk), place_data(commune="Firminy", postal_code="42100"))
    assert response.status_code == 400  # a postal code typed on purpose is checked, not replaced
    assert "Le code postal 42100 n'est pas celui de Firminy (42700)." in text(response)
    # Postal code and coordinates left as they were belong to the old commune: the new one's are taken.
    response = client.post(url("edit", provider, pk=place.pk), place_data(commune="Firminy"))
    assert response.status_code == 302
    place.refresh_from_db()
    firminy = commune("42095")
    assert place.commune == firminy and place.postal_code == "42700"
    assert (place.latitude, place.longitude) == (firminy.latitude, firminy.longitude)


def test_hide_and_publish_again(client, provider, provider_member):
    place = PlaceFactory(provider=provider)
    client.force_login(provider_member)
    response = client.post(url("publish", provider, pk=place.pk), {"is_published": "0"})
    assert response.status_code == 302
    place.refresh_from_db()
    assert not place.is_published
    assert "est masqué" in text(client.get(response.url))
    client.post(url("publish", provider, pk=place.pk), {"is_published": "1"})
    place.refresh_from_db()
    assert place.is_published
    assert client.get(url("publish", provider, pk=place.pk)).status_code == 405


def test_offers_are_created_edited_deactivated_and_reactivated(client, provider, provider_admin):
    place = PlaceFactory(provider=provider)
    client.force_login(provider_admin)
    assert client.get(url("offer_create", provider, pk=place.pk)).status_code == 200
    response = client.post(url("offer_create", provider, pk=place.pk), offer_data())
    assert response.status_code == 302
    offer = place.offers.get()
    assert offer.price_cents == 1250
    assert offer.duration_minutes == 60
    assert offer.format == "individual"
    assert offer.accepts_aptic and offer.is_active
    assert [p.standard_value for p in offer.publics.all()] == ["Seniors"]
    page = text(client.get(url("manage", provider, pk=place.pk)))
    assert "12,50 €" in page and "1 h" in page and "Accompagnement individuel" in page

    edit_url = url("offer_edit", provider, pk=place.pk, offer_pk=offer.pk)
    assert 'value="12,50"' in text(client.get(edit_url))
    response = client.post(
        edit_url, offer_data(price="0", duration_minutes="90", format="group", accepts_aptic=None, publics=[])
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.price_cents, offer.duration_minutes, offer.format) == (0, 90, "group")
    assert not offer.accepts_aptic
    assert offer.publics.count() == 0
    page = text(client.get(url("manage", provider, pk=place.pk)))
    assert "Gratuit" in page and "1 h 30" in page and "Non acceptés" in page

    active_url = url("offer_active", provider, pk=place.pk, offer_pk=offer.pk)
    client.post(active_url, {"is_active": "0"})
    offer.refresh_from_db()
    assert not offer.is_active
    assert "Retiré" in text(client.get(url("manage", provider, pk=place.pk)))
    client.post(active_url, {"is_active": "1"})
    offer.refresh_from_db()
    assert offer.is_active


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("12.50", 1250), ("12,5", 1250), ("12", 1200), ("1 250,00 €", 125000)],
)
def test_prices_in_euros_become_cents(client, provider, provider_admin, typed, cents):
    place = PlaceFactory(provider=provider)
    client.force_login(provider_admin)
    response = client.post(url("offer_create", provider, pk=place.pk), offer_data(price=typed))
    assert response.status_code == 302
    assert place.offers.get().price_cents == cents


@pytest.mark.parametrize("typed", ["10,555", "12,504", "0,005"])
def test_a_fraction_of_a_cent_is_refused_not_rounded(client, provider, provider_admin, typed):
    place = PlaceFactory(provider=provider)
    client.force_login(provider_admin)
    response = client.post(url("offer_create", provider, pk=place.pk), offer_data(price=typed))
    assert response.status_code == 400
    assert "au plus deux chiffres après la virgule" in text(response)
    assert not place.offers.exists()


def test_a_service_payable_in_vouchers_costs_at_least_the_staff_minimum(client, provider, provider_admin):
    place = PlaceFactory(provider=provider)
    client.force_login(provider_admin)
    response = client.post(url("offer_create", provider, pk=place.pk), offer_data(price="0,01"))
    assert response.status_code == 400
    assert "Un service payable en chèques #APTIC coûte au moins 1 €" in text(response)
    assert not place.offers.exists()
    # Not payable in vouchers, or free: no minimum.
    client.post(url("offer_create", provider, pk=place.pk), offer_data(title="Petit", price="0,01", accepts_aptic=None))
    client.post(url("offer_create", provider, pk=place.pk), offer_data(title="Gratuit", price="0"))
    assert place.offers.count() == 2


def test_staff_change_the_minimum_in_the_back_office(client, provider, provider_admin):
    from aptic.core.tests.factories import UserFactory
    from aptic.places.models import OfferSettings

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin_url = reverse("admin:places_offersettings_change", args=[1])
    assert client.get(reverse("admin:places_offersettings_changelist")).url == admin_url
    response = client.post(admin_url, {"min_voucher_price_cents": "300"})
    assert response.status_code == 302, response.content
    assert OfferSettings.current().min_voucher_price_cents == 300
    place = PlaceFactory(provider=provider)
    client.force_login(provider_admin)
    response = client.post(url("offer_create", provider, pk=place.pk), offer_data(price="2,50"))
    assert response.status_code == 400
    assert "coûte au moins 3 €" in text(response)
    assert client.post(url("offer_create", provider, pk=place.pk), offer_data(price="3")).status_code == 302


def test_gratuit_is_a_price(client, provider, provider_admin):
    place = PlaceFactory(provider=provider)
    client.force_login(provider_admin)
    client.post(url("offer_create", provider, pk=place.pk), offer_data(price="Gratuit"))
    assert place.offers.get().price_cents == 0


def _snapshot():
    return (
        list(Place.objects.order_by("pk").values_list("name", "is_published", "opening_hours")),
        list(Offer.objects.order_by("pk").values_list("title", "price_cents", "is_active")),
    )


def test_another_provider_can_neither_see_nor_change_places(client, provider, other_admin):
    place = PlaceFactory(provider=provider, name="Lieu privé")
    offer = OfferFactory(place=place)
    before = _snapshot()
    client.force_login(other_admin)
    # Through its own space: the place is not among its places.
    other = other_admin.memberships.get().organisation
    for name, kwargs in [
        ("manage", {"pk": place.pk}),
        ("edit", {"pk": place.pk}),
        ("offer_create", {"pk": place.pk}),
        ("offer_edit", {"pk": place.pk, "offer_pk": offer.pk}),
    ]:
        assert client.get(url(name, other, **kwargs)).status_code == 404
    assert client.post(url("edit", other, pk=place.pk), place_data(name="Piraté")).status_code == 404
    assert client.post(url("publish", other, pk=place.pk), {"is_published": "0"}).status_code == 404
    assert client.post(url("offer_create", other, pk=place.pk), offer_data()).status_code == 404
    offer_active = url("offer_active", other, pk=place.pk, offer_pk=offer.pk)
    assert client.post(offer_active, {"is_active": "0"}).status_code == 404
    # Through the provider's own URLs: not a member, 403, and the name is not revealed.
    for name, kwargs in [("mine", {}), ("manage", {"pk": place.pk}), ("edit", {"pk": place.pk})]:
        response = client.get(url(name, provider, **kwargs))
        assert response.status_code == 403
        assert "Lieu privé" not in text(response)
    assert client.post(url("edit", provider, pk=place.pk), place_data(name="Piraté")).status_code == 403
    assert client.post(url("publish", provider, pk=place.pk), {"is_published": "0"}).status_code == 403
    assert client.post(url("offer_create", provider, pk=place.pk), offer_data()).status_code == 403
    assert _snapshot() == before


def test_an_offer_of_another_place_is_a_404(client, provider, provider_admin):
    mine = PlaceFactory(provider=provider)
    foreign_offer = OfferFactory()
    client.force_login(provider_admin)
    assert client.get(url("offer_edit", provider, pk=mine.pk, offer_pk=foreign_offer.pk)).status_code == 404


def test_funders_and_visitors_are_kept_out(client, provider, funder, funder_admin):
    place = PlaceFactory(provider=provider)
    response = client.get(url("create", provider))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(funder_admin)
    assert client.get(url("create", funder)).status_code == 403
    assert client.get(url("manage", funder, pk=place.pk)).status_code == 403


def test_a_deactivated_term_held_by_a_place_is_kept_on_edit(client, provider, provider_admin):
    client.force_login(provider_admin)
    client.post(url("create", provider), place_data())
    place = Place.objects.get(provider=provider)
    seniors = Public.objects.get(standard_value="Seniors")
    seniors.is_active = False
    seniors.save()
    assert "Seniors" in text(client.get(url("edit", provider, pk=place.pk)))
    client.post(url("edit", provider, pk=place.pk), place_data(summary="Nouvelle présentation."))
    assert list(place.publics.all()) == [seniors]
    assert not ServiceCategory.objects.filter(is_active=False).exists()
