"""The public page of a place: services and prices, opening hours, access, contacts, map, rating."""

import datetime
import re
import zoneinfo

import pytest
from django.test import override_settings
from django.urls import reverse

from aptic.core.tests.factories import OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.places import hours
from aptic.vocabulary.models import AccessMode, Public, SupportMode

from .factories import OfferFactory, PlaceFactory, category, commune, labelled_place

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def detail(place):
    return reverse("directory:detail", kwargs={"pk": place.pk})


@pytest.fixture
def place(db):
    place = labelled_place(
        name="Médiathèque Tarentaize",
        address="20-24 rue Jo Gouttebarge",
        address_complement="2e étage",
        opening_hours="Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00; PH off",
        summary="Ateliers numériques pour tous.",
        description="Des médiateurs vous accueillent.\n\nSans rendez-vous le samedi.",
        accessibility="Accès de plain-pied, boucle magnétique.",
        acceslibre_url="https://acceslibre.beta.gouv.fr/app/erp/mediatheque/",
        phone="+33477430977",
        email="mediatheque@exemple.fr",
        website="https://mediatheque.exemple.fr/",
        booking_url="https://rdv.exemple.fr/",
    )
    place.access_modes.add(AccessMode.objects.get(standard_value="Se présenter"))
    place.support_modes.add(SupportMode.objects.get(standard_value="Accompagnement individuel"))
    place.publics.add(Public.objects.get(standard_value="Seniors"))
    return place


def test_page_shows_services_with_prices_durations_and_formats(client, place):
    demarches = OfferFactory(
        place=place, title="Démarches en ligne", price_cents=1250, duration_minutes=90, format="individual"
    )
    demarches.publics.add(Public.objects.get(standard_value="Seniors"))
    OfferFactory(
        place=place,
        title="Atelier smartphone",
        price_cents=0,
        duration_minutes=120,
        format="group",
        accepts_aptic=False,
        category=category("Maîtrise des outils numériques du quotidien"),
    )
    OfferFactory(place=place, title="Service retiré", is_active=False)
    response = client.get(detail(place))
    html = text(response)
    assert response.status_code == 200
    assert "<h1>Médiathèque Tarentaize</h1>" in html
    assert "<title>Médiathèque Tarentaize — Saint-Étienne — #APTIC" in html
    assert "Démarches en ligne" in html and "12,50 €" in html and "1 h 30" in html
    assert "Accompagnement individuel" in html
    assert "Atelier smartphone" in html and "Gratuit" in html and "2 h" in html and "Atelier collectif" in html
    assert "Payable en chèques #APTIC" in html and "Chèques #APTIC non acceptés" in html
    assert "Pour : seniors" in html
    assert "Service retiré" not in html


def test_page_shows_access_accessibility_and_contacts(client, place):
    html = text(client.get(detail(place)))
    assert "20-24 rue Jo Gouttebarge, 2e étage" in html and "42000 Saint-Étienne" in html
    assert "Se présenter" in html and "Accompagnement individuel" in html and "Seniors" in html
    assert "Accès de plain-pied, boucle magnétique." in html
    assert 'href="https://acceslibre.beta.gouv.fr/app/erp/mediatheque/"' in html
    assert '<a href="tel:+33477430977">04 77 43 09 77</a>' in html
    assert 'href="mailto:mediatheque@exemple.fr"' in html
    assert "Prendre rendez-vous en ligne" in html
    assert "Sans rendez-vous le samedi." in html


@override_settings(APTIC_MAP_TILE_URL="https://tuiles.exemple.fr/{z}/{x}/{y}.png")
def test_page_has_a_small_map_from_vendored_leaflet(client, place):
    html = client.get(detail(place)).content.decode()
    assert 'data-map="place"' in html
    assert f'data-lat="{place.latitude}"' in html and f'data-lng="{place.longitude}"' in html
    assert 'data-tiles="https://tuiles.exemple.fr/{z}/{x}/{y}.png"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        if src.startswith("http"):
            assert src in {
                "https://acceslibre.beta.gouv.fr/app/erp/mediatheque/",
                "https://mediatheque.exemple.fr/",
                "https://rdv.exemple.fr/",
            }, src  # links the place gave, never an asset


def test_rating_block_waits_for_ratings(client, place):
    html = text(client.get(detail(place)))
    assert "Avis des bénéficiaires" in html
    assert "Pas encore de note." in html


def test_opening_hours_in_french_with_the_state_now_never_the_osm_string(client, place):
    html = text(client.get(detail(place)))
    assert "Mo-Fr" not in html and "PH off" not in html
    assert "<li>Du lundi au vendredi : 9 h – 12 h, 14 h – 18 h 30</li>" in html
    assert "<li>Samedi : 9 h – 12 h</li>" in html
    assert "<li>Fermé le dimanche</li>" in html
    assert "<li>Fermé les jours fériés</li>" in html
    assert "Horaires des sept prochains jours" in html
    assert "9 h – 12 h, 14 h – 18 h 30" in html
    assert re.search(r"(Ouvert maintenant|Fermé actuellement)</strong>, (ferme|ouvre) ", html)


def test_page_of_a_place_without_offers_hours_or_contacts(client, db):
    place = labelled_place(name="Permanence", opening_hours="", phone="", email="")
    html = text(client.get(detail(place)))
    assert "Ce lieu n'a pas encore publié ses services" in html
    assert "Horaires non renseignés" in html
    assert "Pas de contact renseigné." in html


def test_not_public_places_are_404(client, db):
    hidden = labelled_place(is_published=False)
    unlabelled = PlaceFactory(provider=OrganisationFactory(kind="provider"))
    for place in (hidden, unlabelled):
        response = client.get(detail(place))
        assert response.status_code == 404
        assert place.name not in text(response)
    assert client.get("/lieux/999999/").status_code == 404
    assert client.get("/lieux/99999999999999999999999999/").status_code == 404
    assert client.get("/lieux/abc/").status_code == 404


class TestSchedule:
    """hours.schedule: the week read out in French, 'ouvert maintenant' in Europe/Paris."""

    RAW = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:00-12:00; PH off"

    def test_open_now_and_closing_time(self):
        thursday = datetime.datetime(2026, 11, 26, 10, 30, tzinfo=PARIS)
        result = hours.schedule(self.RAW, now=thursday)
        assert (result.state, result.state_label, result.next_change) == ("open", "Ouvert maintenant", "ferme à 12 h")
        assert [(d.label, d.spans) for d in result.days[:4]] == [
            ("Jeudi 26 novembre", ("9 h – 12 h", "14 h – 18 h 30")),
            ("Vendredi 27 novembre", ("9 h – 12 h", "14 h – 18 h 30")),
            ("Samedi 28 novembre", ("9 h – 12 h",)),
            ("Dimanche 29 novembre", ()),
        ]
        assert result.days[0].is_today and not result.days[1].is_today
        assert result.days[5].label == "Mardi 1er décembre"

    def test_closed_until_monday(self):
        saturday_evening = datetime.datetime(2026, 11, 28, 20, 0, tzinfo=PARIS)
        result = hours.schedule(self.RAW, now=saturday_evening)
        assert (result.state_label, result.next_change) == ("Fermé actuellement", "ouvre lundi à 9 h")

    def test_public_holidays_are_closed(self):
        christmas_eve = datetime.datetime(2026, 12, 24, 20, 0, tzinfo=PARIS)
        result = hours.schedule(self.RAW, now=christmas_eve)
        assert result.days[1].label == "Vendredi 25 décembre" and result.days[1].spans == ()
        assert result.next_change == "ouvre samedi à 9 h"

    def test_comments_unknown_and_all_day(self):
        monday = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=PARIS)
        result = hours.schedule('Mo 10:00-12:00 "sur rendez-vous"; Tu unknown; We 00:00-24:00', now=monday)
        assert result.days[0].spans == ("10 h – 12 h (sur rendez-vous)",)
        assert result.days[1].spans == ("toute la journée (à confirmer)",)
        assert result.days[2].spans == ("toute la journée",)

    def test_overseas_places_use_their_own_time_zone(self):
        paris_morning = datetime.datetime(2026, 11, 26, 7, 0, tzinfo=PARIS)  # 10 h in Réunion
        assert hours.schedule("Mo-Fr 09:00-17:00", now=paris_morning).state == "closed"
        reunion = hours.schedule("Mo-Fr 09:00-17:00", departement="974", now=paris_morning)
        assert reunion.state == "open" and reunion.timezone == "Indian/Reunion"

    def test_no_or_unreadable_hours(self):
        assert hours.schedule("") is None
        assert hours.schedule("tous les jours") is None


def test_a_place_stored_with_unreadable_hours_still_shows_them(client, db):
    place = labelled_place(opening_hours="lundi au vendredi")  # imported before validation existed
    html = text(client.get(detail(place)))
    assert "lundi au vendredi" in html


def test_place_in_another_commune_shows_it(client, db):
    place = labelled_place(commune=commune("69123"), name="Tiers-lieu")
    html = text(client.get(detail(place)))
    assert "69001 Lyon" in html
