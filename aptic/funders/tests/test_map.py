"""The funder's usage map (issue #14 item 3, ADR 0040): where its vouchers are accepted and where
they were used, counted per place and per commune, its own uses only, with a table equivalent."""

import json
import re
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from aptic.core.tests.factories import CommuneFactory, DepartementFactory, MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.places.models import Offer, Place
from aptic.reporting.maps import funder_map_points
from aptic.vocabulary.models import ServiceCategory
from aptic.vouchers.models import RedemptionLine, Voucher
from aptic.vouchers.redemption import redemption_create
from aptic.vouchers.tests.conftest import counter  # noqa: F401 (the counter's world, a fixture)
from aptic.vouchers.tests.test_views_support import issue

pytestmark = pytest.mark.django_db


def place_in(provider, commune, name, category, published=True):
    place = Place.objects.create(
        provider=provider,
        name=name,
        address="2 rue Test",
        commune=commune,
        latitude=commune.latitude,
        longitude=commune.longitude,
        is_published=published,
    )
    Offer.objects.create(
        place=place, category=category, title="Atelier", price_cents=2500, duration_minutes=60, format="group"
    )
    return place


@pytest.fixture
def world(vocabulary, counter, funder):  # noqa: F811 (counter: the imported fixture)
    """A labelled provider with places in Saint-Étienne (Loire) and in a small Rhône commune; the
    funder's order accepted in the Loire only, another funder's anywhere; both used at the fablab."""
    provider, cashier, fablab, workshop, _ = counter
    loire, category = fablab.commune, workshop.category
    other_category = ServiceCategory.objects.exclude(pk=category.pk).order_by("position").first()
    rhone = DepartementFactory(code="69", name="Rhône", region=loire.departement.region)
    village = CommuneFactory(
        insee_code="69001", name="Village-sur-Rhône", departement=rhone, population=4000, latitude=45.8, longitude=4.6
    )
    library = place_in(provider, loire, "Médiathèque", category)
    hidden = place_in(provider, loire, "Local fermé", category, published=False)
    hall = place_in(provider, village, "Salle des fêtes", category)
    kiosk = place_in(provider, village, "Kiosque", other_category)
    order = issue(funder, quantity=20, rule_departements=[loire.departement])
    rival = OrganisationFactory(kind="funder", name="Autre commanditaire")
    rival_order = issue(rival, quantity=20)

    def spend(order, place, *sequences):
        codes = list(Voucher.objects.filter(order=order, sequence__in=sequences).values_list("code", flat=True))
        offer = place.offers.first() if place != fablab else workshop
        redemption_create(provider=provider, place=place, offer=offer, codes=codes, user=cashier)

    spend(order, fablab, 1, 2)
    spend(order, fablab, 3)
    spend(rival_order, fablab, 1, 2, 3)
    spend(rival_order, hall, 4)
    spend(rival_order, kiosk, 5, 6)
    return {
        "fablab": fablab,
        "library": library,
        "hidden": hidden,
        "hall": hall,
        "kiosk": kiosk,
        "rival": rival,
        "category": category,
        "other_category": other_category,
        "village": village,
    }


def used_in_orm(funder, place):
    """The vouchers of the funder used at the place, counted on the redemption lines themselves."""
    return RedemptionLine.objects.filter(
        voucher__order__funder=funder, redemption__place=place, redemption__cancelled_at__isnull=True
    ).count()


def map_url(organisation, **params):
    url = reverse("funders:map", kwargs={"org_slug": organisation.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def map_data(response) -> list[dict]:
    found = re.search(r'<script id="carte-donnees" type="application/json">(.*?)</script>', response.content.decode())
    return json.loads(found.group(1))


def table_rows(html: str, caption_id: str) -> list[list[str]]:
    table = re.search(rf'<caption id="{caption_id}">.*?</table>', html, re.S).group(0)
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_the_map_shows_where_the_vouchers_are_accepted_and_used(client, funder, funder_member, world):
    client.force_login(funder_member)
    response = client.get(map_url(funder))
    assert response.status_code == 200
    html = text(response)
    fablab, library = world["fablab"], world["library"]
    assert used_in_orm(funder, fablab) == 3
    # Used: the fablab, with this funder's 3 vouchers only (the other funder's 3 there are not counted).
    assert table_rows(html, "cap-lieux") == [["Fablab du Forez", "Saint-Étienne", "3"]]
    # Accepted (its order is for the Loire), not used: the library; not the hidden place, not the Rhône's.
    eligible = {
        (place.name, place.commune.name)
        for place in Place.objects.filter(
            is_published=True, commune__departement_id="42", offers__accepts_aptic=True, offers__is_active=True
        ).exclude(pk=fablab.pk)
    }
    assert eligible == {(library.name, "Saint-Étienne")}
    assert {tuple(row) for row in table_rows(html, "cap-acceptes")} == eligible
    assert table_rows(html, "cap-communes") == [["Saint-Étienne", "3", "173\u202f136", "0,02"]]
    assert "Depuis le début" in html and "3 chèques utilisés</strong>" in html and "dans 1 lieu et 1 commune" in html
    assert "Salle des fêtes" not in html and "Village-sur-Rhône" not in html and "Local fermé" not in html


def test_another_funder_at_the_same_place_sees_its_own_uses(client, world):
    rival, fablab = world["rival"], world["fablab"]
    client.force_login(MembershipFactory(organisation=rival, role="admin").user)
    html = text(client.get(map_url(rival)))
    assert used_in_orm(rival, fablab) == 3 and used_in_orm(rival, world["kiosk"]) == 2
    assert sorted(table_rows(html, "cap-lieux")) == [
        ["Fablab du Forez", "Saint-Étienne", "3"],
        ["Kiosque", "Village-sur-Rhône", "2"],
        ["Salle des fêtes", "Village-sur-Rhône", "1"],
    ]
    # 3 vouchers in a commune of 4,000 inhabitants: 0.75 per 1,000.
    assert ["Village-sur-Rhône", "3", "4\u202f000", "0,75"] in table_rows(html, "cap-communes")
    # Its order has no territory: every public place is accepted; the used ones are not listed twice.
    assert [row[0] for row in table_rows(html, "cap-acceptes")] == ["Médiathèque"]


def test_the_map_data_is_valid_and_agrees_with_the_tables(client, funder, funder_admin, world):
    client.force_login(funder_admin)
    data = map_data(client.get(map_url(funder)))
    assert isinstance(data, list)
    for point in data:
        assert set(point) == {"kind", "lat", "lng", "value", "rate", "text"}
        assert point["kind"] in ("place", "eligible", "commune")
        assert -90 <= point["lat"] <= 90 and -180 <= point["lng"] <= 180
        assert isinstance(point["value"], int) and point["value"] >= 0
        assert point["rate"] is None or isinstance(point["rate"], int | float)
        assert isinstance(point["text"], str) and point["text"]
    by_kind = {kind: [p for p in data if p["kind"] == kind] for kind in ("place", "eligible", "commune")}
    place = "Fablab du Forez, Saint-Étienne : 3 chèques utilisés"
    assert [(p["text"], p["value"]) for p in by_kind["place"]] == [(place, 3)]
    assert [p["text"] for p in by_kind["eligible"]] == [
        "Médiathèque, Saint-Étienne : chèques acceptés, pas encore utilisés"
    ]
    (commune,) = by_kind["commune"]
    assert commune["value"] == 3 and commune["rate"] == 0.02
    assert commune["text"] == "Saint-Étienne : 3 chèques utilisés, soit 0,02 pour 1\u202f000 habitants"


@override_settings(APTIC_MAP_TILE_URL="https://tuiles.exemple.fr/{z}/{x}/{y}.png")
def test_the_page_works_without_javascript_and_keeps_to_the_policy(client, funder, funder_admin, world):
    client.force_login(funder_admin)
    html = client.get(map_url(funder)).content.decode()
    assert "<script>" not in html and " style=" not in html and " onclick" not in html
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert {
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "/static/places/map.js",
        "/static/funders/usage_map.js",
    } <= set(assets)
    for asset in assets:
        assert not asset.startswith(("http:", "https:", "//")), asset  # nothing from elsewhere
        assert not asset.startswith("/static/") or client.get(asset).status_code == 200, asset
    assert 'data-tiles="https://tuiles.exemple.fr/{z}/{x}/{y}.png"' in html  # the tile server of the settings
    assert "data-map-wrapper hidden" in html  # the map shows only once the script runs; the tables always
    assert 'aria-label="Carte des lieux et des communes"' in html


def test_the_dashboard_filters_narrow_the_map(client, world):
    rival = world["rival"]
    client.force_login(MembershipFactory(organisation=rival, role="member").user)
    html = text(client.get(map_url(rival, categorie=world["other_category"].pk)))
    assert table_rows(html, "cap-lieux") == [["Kiosque", "Village-sur-Rhône", "2"]]
    assert table_rows(html, "cap-acceptes") == [["Aucun autre lieu."]]
    html = text(client.get(map_url(rival, commune="69001")))
    assert sorted(row[0] for row in table_rows(html, "cap-lieux")) == ["Kiosque", "Salle des fêtes"]
    assert table_rows(html, "cap-communes") == [["Village-sur-Rhône", "3", "4\u202f000", "0,75"]]
    assert table_rows(html, "cap-acceptes") == [["Aucun autre lieu."]]  # the library is in the Loire
    html = text(client.get(map_url(rival, periode="dates", du="2001-01-01", au="2001-12-31")))
    assert table_rows(html, "cap-lieux") == [["Aucun chèque utilisé pour ces filtres."]]
    # Its order was not accepted in 2001: no place is either.
    assert table_rows(html, "cap-acceptes") == [["Aucun autre lieu."]]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"periode": "dates", "du": "2026-13-45", "au": "2026-12-31"}, "La date de début n'est pas une date"),
        ({"periode": "dates", "du": "2026-06-01", "au": "2026-01-01"}, "La date de début doit précéder"),
        ({"periode": "dates", "du": "1066-10-14", "au": "2026-01-01"}, "La période doit être comprise"),
        ({"periode": "siecle"}, "Cette période n'existe pas"),
        ({"categorie": "99999999999999999999999"}, "Cette catégorie de service n'existe pas"),
        (
            {"commune": "69001"},
            "Cette commune n'est pas dans le territoire de ce tableau de bord",
        ),  # the other funder's
        ({"au": "x" * 10_000}, "L'adresse de cette page est trop longue"),
    ],
)
def test_bad_filters_answer_a_french_400(client, funder, funder_admin, world, params, message):
    client.force_login(funder_admin)
    response = client.get(map_url(funder, **params))
    assert response.status_code == 400
    html = text(response)
    assert message in html and "<title>Erreur : Carte des utilisations" in html
    assert "Fablab du Forez" not in html and 'id="carte-donnees"' not in html


def test_another_funders_order_is_refused(client, funder, funder_admin, world):
    foreign = world["rival"].orders.get()
    client.force_login(funder_admin)
    response = client.get(map_url(funder, commande=foreign.pk))
    assert response.status_code == 400
    assert "Une des commandes demandées n'est pas l'une des vôtres." in text(response)


def test_only_the_funders_members_may_see_it(client, funder, world, provider_admin):
    url = map_url(funder)
    response = client.get(url)  # anonymous
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(MembershipFactory(organisation=world["rival"], role="admin").user)
    assert client.get(url).status_code == 403  # another funder
    client.force_login(provider_admin)
    provider = provider_admin.memberships.get().organisation
    assert client.get(map_url(provider)).status_code == 403  # not a funder's space


def test_the_funder_menu_links_the_map(client, funder, funder_member, world):
    client.force_login(funder_member)
    html = text(client.get(reverse("funders:orders", kwargs={"org_slug": funder.slug})))
    assert f'href="{map_url(funder)}"' in html and "Carte des utilisations" in html


def test_the_selector_gives_communes_their_rate_and_honours_the_territory(world, funder):
    rival = world["rival"]
    points = funder_map_points(funder=rival, usage_filters={"commune": "69001"})
    assert {(p.kind, p.label, p.value) for p in points} == {
        ("place", "Kiosque", 2),
        ("place", "Salle des fêtes", 1),
        ("commune", "Village-sur-Rhône", 3),
    }
    (village,) = [p for p in points if p.kind == "commune"]
    assert village.population == 4000 and village.rate == Decimal("0.75")
    assert funder_map_points(funder=funder, usage_filters={"commune": "69001"}) == ()


def test_the_orders_filter_and_the_rules_decide_the_accepted_places(world, funder):
    """A second order for the other category, anywhere: the kiosk becomes accepted; filtering on
    the first order alone, or on the Loire order's category, leaves it out."""
    first = funder.orders.get()
    second = issue(funder, quantity=10, rule_categories=[world["other_category"]])

    def accepted(**filters):
        points = funder_map_points(funder=funder, usage_filters=filters)
        return sorted(p.label for p in points if p.kind == "eligible")

    assert accepted() == ["Kiosque", "Médiathèque"]
    assert accepted(order_id__in=[first.pk]) == ["Médiathèque"]
    assert accepted(order_id__in=[second.pk]) == ["Kiosque"]
    assert accepted(category_id=world["category"].pk) == ["Médiathèque"]
    assert accepted(typology_id=world["fablab"].typologies.get().pk) == []  # the others have no type


def test_the_map_is_a_report_whose_figures_sum_its_points(client, funder, funder_admin, world):
    from aptic.reporting.filters import Filters
    from aptic.reporting.maps import funder_map_report

    report = funder_map_report(funder=funder, filters=Filters())
    assert report.title == "Carte des utilisations" and report.organisation == funder.name
    assert [(f.key, f.value) for f in report.figures] == [
        ("used", 3),
        ("places_used", 1),
        ("communes", 1),
        ("places_eligible", 1),
    ]
    assert report.filters[0][0] == "Période"


def test_every_rate_per_thousand_reads_with_two_decimals():
    from aptic.funders.templatetags.usage_map import point_text, pour_mille
    from aptic.reporting.report import MapPoint

    assert [pour_mille(Decimal(v)) for v in ("22.88", "44.1", "3", "0.02")] == ["22,88", "44,10", "3,00", "0,02"]
    assert pour_mille(None) == "—"
    commune = MapPoint("Mérignac", 44.84, -0.65, 3, kind="commune", population=68_000, rate=Decimal("44.1"))
    assert point_text(commune).endswith("soit 44,10 pour 1\u202f000 habitants")
