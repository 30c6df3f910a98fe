"""The public voucher page (what the QR code opens) and the form to type a code: state in plain
French, validity, where the voucher can be used (list and map, by its order's rules), nothing
revealed for unknown or malformed codes, lookups rate-limited per address."""

import datetime
import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from aptic.core.tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.core.throttle import client_address
from aptic.places.models import Offer, Place
from aptic.territories.models import Departement, Epci, Region
from aptic.vocabulary.models import PlaceTypology, ServiceCategory
from aptic.vouchers import codes as voucher_codes
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.links import voucher_url
from aptic.vouchers.models import Voucher
from aptic.vouchers.redemption import redemption_create
from aptic.vouchers.rules import Setting, refusal, rules_for
from aptic.vouchers.selectors import places_for_order

from .conftest import make_labelled
from .test_views_support import codes_of, issue, public_url, unknown_code

pytestmark = pytest.mark.django_db


def page(client, code, **extra):
    response = client.get(public_url(code), **extra)
    return response, text(response)


def test_an_active_voucher_shows_its_value_funder_validity_and_where_to_use_it(client, counter, funder):
    order = issue(funder)
    code = codes_of(order, 1)[0]
    response, html = page(client, code)
    assert response.status_code == 200
    assert f'Chèque #APTIC n° <span class="serial">{order.serial(1)}</span>' in html
    assert "<strong>10 €</strong>" in html and "Département de test" in html
    # The one validity wording (ADR 0023), as on the funder's Suivi page and the printed voucher.
    validity = f"Valable jusqu'au {order.valid_until:%d/%m/%Y}, accepté jusqu'au {order.grace_until:%d/%m/%Y}"
    assert validity in html and "Accepté encore jusqu'au" not in html
    assert '<h2 id="etat">Utilisable</h2>' in html
    assert f"jusqu'au {order.valid_until:%d/%m/%Y}" in html
    assert "1 lieu</strong> accepte ce chèque" in html
    assert counter[2].name in html and "Atelier smartphone : 25 €" in html and "Aide ponctuelle : 10 €" in html
    assert reverse("directory:detail", kwargs={"pk": counter[2].pk}) in html
    assert 'data-map="catalogue"' in html and "/static/vendor/leaflet/leaflet.js" in html
    # The code itself is not repeated on the page, and the page is neither cached nor indexed.
    assert voucher_codes.display(code) not in html
    assert "no-store" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex">' in html


def test_the_map_reads_the_same_places_through_a_signed_token(client, counter, funder):
    order = issue(funder)
    _, html = page(client, codes_of(order, 1)[0])
    geojson_url = re.search(r'data-geojson="([^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.get(geojson_url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/geo+json")
    features = json.loads(response.content)["features"]
    assert [f["id"] for f in features] == [counter[2].pk]
    assert features[0]["properties"]["url"] == reverse("directory:detail", kwargs={"pk": counter[2].pk})
    token = geojson_url.split("t=", 1)[1]
    for bad in [
        f"{reverse('vouchers:places_geojson')}?t={token}x",
        reverse("vouchers:places_geojson"),
        "/cheque/carte.geojson?t=1",
    ]:
        assert client.get(bad).status_code == 404


def test_qr_url_and_its_capital_form(client, counter, funder, settings):
    settings.SITE_URL = "https://aptic.example"
    code = codes_of(issue(funder), 1)[0]
    assert voucher_url(code) == f"https://aptic.example/c/{code}/"
    assert client.get(f"/C/{code}/").status_code == 200
    assert client.get(f"/c/{voucher_codes.display(code).lower()}/").status_code == 200


def test_grace_period_not_yet_valid_and_not_activated(client, counter, funder):
    today = timezone.localdate()
    grace = issue(
        funder,
        quantity=10,
        valid_from=today - datetime.timedelta(days=60),
        valid_until=today - datetime.timedelta(days=1),
        grace_until=today + datetime.timedelta(days=10),
    )
    _, html = page(client, codes_of(grace, 1)[0])
    assert "Utilisable encore quelques jours" in html and "encore accepté" in html and "lieu</strong>" in html
    later = issue(
        funder,
        quantity=10,
        valid_from=today + datetime.timedelta(days=5),
        valid_until=today + datetime.timedelta(days=60),
    )
    _, html = page(client, codes_of(later, 1)[0])
    assert "Bientôt utilisable" in html and f"à partir du {later.valid_from:%d/%m/%Y}" in html
    inactive = issue(funder, quantity=10, activation="on_distribution")
    _, html = page(client, codes_of(inactive, 1)[0])
    assert "Pas encore activé" in html and "lieu</strong>" in html


def test_a_redeemed_voucher(client, counter, funder):
    organisation, admin, place, workshop, short = counter
    code = codes_of(issue(funder), 1)[0]
    redemption_create(provider=organisation, place=place, offer=short, codes=[code], user=admin)
    response, html = page(client, code)
    assert response.status_code == 200
    assert '<h2 id="etat">Déjà utilisé</h2>' in html
    assert f"utilisé le {timezone.localdate():%d/%m/%Y} à {place.name}" in html
    assert "Où utiliser ce chèque" not in html
    assert "Votre avis sur le service" in html and "« Aide ponctuelle »" in html


def test_an_expired_voucher(client, counter, funder):
    today = timezone.localdate()
    order = issue(
        funder,
        quantity=10,
        valid_from=today - datetime.timedelta(days=400),
        valid_until=today - datetime.timedelta(days=60),
        grace_until=today - datetime.timedelta(days=30),
    )
    response, html = page(client, codes_of(order, 1)[0])
    assert response.status_code == 200
    assert '<h2 id="etat">Expiré</h2>' in html
    assert f"jusqu'au {order.grace_until:%d/%m/%Y}" in html
    assert "Où utiliser ce chèque" not in html and "Votre avis" not in html


def test_a_stopped_voucher(client, counter, funder, funder_admin):
    order = issue(funder)
    code = codes_of(order, 1)[0]
    vouchers_stop(vouchers=Voucher.objects.filter(code=code), actor=funder_admin, reason="Carnet perdu")
    _, html = page(client, code)
    assert '<h2 id="etat">Mis en opposition</h2>' in html
    assert "déclaré perdu ou volé" in html
    assert "adressez-vous à qui vous l'a offert (commanditaire : Département de test)" in html
    assert "Carnet perdu" not in html  # the reason stays in the back office
    assert "Où utiliser ce chèque" not in html


def test_an_unknown_code_reveals_nothing(client, counter, funder):
    issue(funder)
    response, html = page(client, unknown_code())
    assert response.status_code == 404
    assert "Code inconnu : aucun chèque ne porte ce code." in html
    assert "Département de test" not in html and "Chèque #APTIC n°" not in html and "€" not in html
    assert 'name="code"' in html  # type it again


@pytest.mark.parametrize(
    "typed,message",
    [
        ("K7QM-3XH9-PZ2W-8RTX", "Ce code comporte une erreur de saisie : vérifiez chaque caractère."),
        ("K7QM", "Un code de chèque compte 16 caractères ; celui-ci en a 4."),
        ("K7QM-3XH9-PZ2W-8RT%3C", "Ce code contient des caractères qui n'existent pas sur un chèque : <"),
    ],
)
def test_a_malformed_code_gives_the_typing_error_only(client, counter, funder, typed, message):
    issue(funder)
    response = client.get(f"/c/{typed}/")
    html = text(response)
    assert response.status_code == 404
    assert message in html
    assert "Département de test" not in html and "€" not in html
    assert "<script>" not in html


def test_the_lookup_form(client, counter, funder):
    code = codes_of(issue(funder), 1)[0]
    html = text(client.get(reverse("vouchers:lookup")))
    assert '<label for="id_code">Code du chèque' in html and "Voir le chèque" in html
    response = client.get(reverse("vouchers:lookup"), {"code": f"  {voucher_codes.display(code).lower()} "})
    assert response.status_code == 302 and response.url == public_url(code)
    response = client.get(reverse("vouchers:lookup"), {"code": voucher_url(code)})
    assert response.url == public_url(code)
    wrong = client.get(reverse("vouchers:lookup"), {"code": "K7QM-3XH9-PZ2W-8RTX"})
    assert wrong.status_code == 400 and "erreur de saisie" in text(wrong)
    empty = client.get(reverse("vouchers:lookup"), {"code": ""})
    assert empty.status_code == 400 and "Saisissez le code du chèque." in text(empty)


@override_settings(APTIC_VOUCHER_LOOKUP_LIMIT=3, APTIC_VOUCHER_LOOKUP_WINDOW=600)
def test_lookups_are_rate_limited_per_address_found_or_not(client, counter, funder):
    code = codes_of(issue(funder), 1)[0]
    assert client.get(public_url(code)).status_code == 200
    assert client.get(public_url(unknown_code())).status_code == 404
    assert client.get(reverse("vouchers:lookup"), {"code": "K7QM"}).status_code == 400
    blocked = client.get(public_url(code))
    html = text(blocked)
    assert blocked.status_code == 429
    assert "Trop de vérifications de chèques" in html and "réessayez dans" in html and "minute" in html
    assert 'lang="fr"' in html and int(blocked["Retry-After"]) > 0
    assert "Département de test" not in html
    assert client.get(reverse("vouchers:lookup"), {"code": "K7QM"}).status_code == 429
    # The form itself, and another address, still work.
    assert client.get(reverse("vouchers:lookup")).status_code == 200
    assert client.get(public_url(code), REMOTE_ADDR="192.0.2.8").status_code == 200


@override_settings(APTIC_VOUCHER_LOOKUP_LIMIT=2)
def test_an_ipv6_subscriber_is_one_address(client, counter, funder):
    code = codes_of(issue(funder), 1)[0]
    assert client.get(public_url(code), REMOTE_ADDR="2001:db8:1:2::1").status_code == 200
    assert client.get(public_url(code), REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 200
    assert client.get(public_url(code), REMOTE_ADDR="2001:db8:1:2:abcd::9").status_code == 429
    assert client.get(public_url(code), REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_client_address_behind_trusted_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_address(request) == "10.0.0.1"
    settings.APTIC_TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "203.0.113.9"  # what the client put first is not trusted
    settings.APTIC_TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "6.6.6.6"


# Where a voucher can be used: the order's rules, as the counter applies them.


@pytest.fixture
def territory(counter):
    """Places of labelled providers in Saint-Étienne, Firminy (both in Saint-Étienne Métropole),
    Lyon (Rhône, same région) and Paris (another région); plus places that never show."""
    _, _, saint_etienne_place, workshop, _ = counter
    aura = Region.objects.get(code="84")
    idf = Region.objects.create(code="11", name="Île-de-France")
    sem = Epci.objects.create(siren="244200770", name="Saint-Étienne Métropole", nature="METRO")
    saint_etienne = saint_etienne_place.commune
    saint_etienne.epci = sem
    saint_etienne.save()
    firminy = CommuneFactory(
        insee_code="42095", name="Firminy", latitude=45.3883, longitude=4.2878, postal_codes="42700"
    )
    firminy.epci = sem
    firminy.save()
    rhone = Departement.objects.create(code="69", name="Rhône", region=aura)
    lyon = CommuneFactory(insee_code="69123", name="Lyon", departement=rhone, latitude=45.758, longitude=4.835)
    paris_dep = Departement.objects.create(code="75", name="Paris", region=idf)
    paris = CommuneFactory(insee_code="75056", name="Paris", departement=paris_dep, latitude=48.8566, longitude=2.3522)
    other_category = ServiceCategory.objects.exclude(pk=workshop.category_id).first()
    library = PlaceTypology.objects.exclude(standard_value="FABLAB").first()

    def place(name, commune, *, category=workshop.category, typology=library, labelled=True, **offer):
        organisation = OrganisationFactory(kind="provider", name=f"Structure {name}")
        if labelled:
            make_labelled(organisation, MembershipFactory(organisation=organisation, role="admin").user)
        created = Place.objects.create(
            provider=organisation, name=name, address="1 rue", commune=commune,
            latitude=commune.latitude, longitude=commune.longitude,
        )  # fmt: skip
        created.typologies.set([typology])
        offer = {"price_cents": 1500, "accepts_aptic": True, "is_active": True, **offer}
        Offer.objects.create(
            place=created, category=category, title=f"Service {name}", duration_minutes=60, format="individual", **offer
        )
        return created

    places = {
        "saint_etienne": saint_etienne_place,  # FABLAB, the workshop's category
        "firminy": place("Lieu Firminy", firminy, category=other_category),
        "lyon": place("Lieu Lyon", lyon),
        "paris": place("Lieu Paris", paris, category=other_category),
    }
    never = [
        place("Non labellisé", lyon, labelled=False),
        place("Gratuit", lyon, price_cents=0),
        place("Sans chèques", lyon, accepts_aptic=False),
        place("Service retiré", lyon, is_active=False),
    ]
    hidden = place("Masqué", lyon)
    hidden.is_published = False
    hidden.save()
    never.append(hidden)
    return {
        "places": places,
        "never": never,
        "sem": sem,
        "firminy": firminy,
        "lyon": lyon,
        "rhone": rhone,
        "aura": aura,
        "idf": idf,
        "fablab": PlaceTypology.objects.get(standard_value="FABLAB"),
        "library": library,
        "workshop_category": workshop.category,
        "other_category": other_category,
    }


CASES = {
    "no rule": ({}, {"saint_etienne", "firminy", "lyon", "paris"}),
    "commune": ({"rule_communes": ["lyon"]}, {"lyon"}),
    "EPCI": ({"rule_epcis": ["sem"]}, {"saint_etienne", "firminy"}),
    "département": ({"rule_departements": ["rhone"]}, {"lyon"}),
    "région": ({"rule_regions": ["idf"]}, {"paris"}),
    "any of the zones": ({"rule_communes": ["firminy"], "rule_regions": ["idf"]}, {"firminy", "paris"}),
    "région and typology": ({"rule_regions": ["aura"], "rule_typologies": ["fablab"]}, {"saint_etienne"}),
    "typology": ({"rule_typologies": ["library"]}, {"firminy", "lyon", "paris"}),
    "category": ({"rule_categories": ["other_category"]}, {"firminy", "paris"}),
    "EPCI and category": ({"rule_epcis": ["sem"], "rule_categories": ["workshop_category"]}, {"saint_etienne"}),
}


@pytest.mark.parametrize("case", CASES)
def test_places_listed_respect_each_rule(client, territory, funder, case):
    rules, expected = CASES[case]
    order = issue(funder, quantity=10, **{name: [territory[key] for key in keys] for name, keys in rules.items()})
    found = set(places_for_order(order).values_list("pk", flat=True))
    assert found == {territory["places"][key].pk for key in expected}
    # The same answer as the counter's rules, place by place and offer by offer.
    order_rules = rules_for([order])[order.pk]
    day = timezone.localdate()
    for place in [*territory["places"].values()]:
        commune = place.commune
        accepted = any(
            refusal(
                order_rules,
                Setting(
                    day=day,
                    commune_id=commune.pk,
                    commune_name=commune.name,
                    epci_id=commune.epci_id,
                    departement_id=commune.departement_id,
                    region_id=commune.region_id,
                    typology_ids=frozenset(place.typologies.values_list("pk", flat=True)),
                    category_id=offer.category_id,
                    category_label=offer.category.label,
                ),
            )
            is None
            for offer in place.offers.filter(accepts_aptic=True, is_active=True, price_cents__gt=0)
        )
        assert accepted == (place.pk in found), place.name
    # And the page lists those places by name, and only them.
    _, html = page(client, codes_of(order, 1)[0])
    for key, place in territory["places"].items():
        assert (f">{place.name}</a>" in html) == (key in expected), place.name
    for place in territory["never"]:
        assert place.name not in html


def test_a_long_list_is_paginated(client, territory, funder, monkeypatch):
    from aptic.vouchers.views import public

    monkeypatch.setattr(public, "PLACES_PER_PAGE", 2)
    code = codes_of(issue(funder, quantity=10), 1)[0]
    _, first = page(client, code)
    assert "4 lieux</strong> acceptent ce chèque" in first and "Page 1 sur 2" in first
    response = client.get(public_url(code), {"page": 2})
    assert "Page 2 sur 2" in text(response)
