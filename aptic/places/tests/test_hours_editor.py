"""The place form's per-day hours editor and map point (ADR 0025): French fields in, the OSM string
stored, the same fields shown back; hours read out in French wherever they are shown."""

import datetime
import re
import zoneinfo

import opening_hours
import pytest
from django.urls import reverse

from aptic.core.tests.helpers import text
from aptic.demo.builders.places import OPENING_HOURS
from aptic.places import hours
from aptic.places.models import Place

from .factories import PlaceFactory, commune
from .helpers import place_data

pytestmark = pytest.mark.django_db

CODES = ("mo", "tu", "we", "th", "fr", "sa", "su")


def url(name, organisation, **kwargs):
    return reverse(f"places:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def week_data(week: dict, *, holidays=False, advanced="") -> dict:
    """What the browser posts: {'mo': [('09:00', '12:00'), ('14:00', '17:30')], ...}; other days closed."""
    data = {"opening_hours": advanced}
    for code in CODES:
        ranges = list(week.get(code, [])) + [("", "")] * 2
        for number, (start, end) in enumerate(ranges[:2], start=1):
            data[f"opening_hours_{code}_{number}_start"] = start
            data[f"opening_hours_{code}_{number}_end"] = end
    if holidays:
        data["opening_hours_ph_off"] = "on"
    return data


def shown_values(html: str) -> dict:
    """The time inputs' values as the form shows them: {'opening_hours_mo_1_start': '09:00', ...}."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="(opening_hours_[a-z]{2}_\d_(?:start|end))"', tag)
        if name:
            value = re.search(r'value="([^"]*)"', tag)
            values[name.group(1)] = value.group(1) if value else ""
    return values


WEEKDAYS = {"mo": [("09:00", "12:00"), ("14:00", "17:30")]}
for _code in ("tu", "we", "th", "fr"):
    WEEKDAYS[_code] = WEEKDAYS["mo"]
WEEKDAYS["sa"] = [("09:00", "12:00")]


def test_per_day_hours_are_stored_grouped_and_shown_back_the_same(client, provider, provider_admin):
    client.force_login(provider_admin)
    response = client.post(url("create", provider), place_data(**week_data(WEEKDAYS, holidays=True)))
    assert response.status_code == 302, text(response)
    place = Place.objects.get(provider=provider)
    assert place.opening_hours == "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off"
    opening_hours.OpeningHours(place.opening_hours)  # a valid OSM expression

    html = text(client.get(url("edit", provider, pk=place.pk)))
    posted = week_data(WEEKDAYS)
    assert shown_values(html) == {name: value for name, value in posted.items() if name != "opening_hours"}
    assert re.search(r'<input type="checkbox" name="opening_hours_ph_off"[^>]*checked', html)
    assert re.search(r'<input type="text" name="opening_hours"(?![^>]*value=)[^>]*>', html)  # advanced: empty
    assert "<legend>Lundi</legend>" in html and "<legend>Dimanche</legend>" in html
    first = r'<input type="time" name="opening_hours_mo_1_start" value="09:00"[^>]*id="id_opening_hours_0"'
    assert re.search(first, html)
    assert '<label for="id_opening_hours_0">De<span class="visually-hidden"> (lundi, ouverture, 1re plage)' in html

    # Saved again untouched: nothing changes; one day changed: the string is written anew.
    client.post(url("edit", provider, pk=place.pk), place_data(**week_data(WEEKDAYS, holidays=True)))
    place.refresh_from_db()
    assert place.opening_hours == "Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off"
    changed = dict(WEEKDAYS, we=[("14:00", "17:30")])
    client.post(url("edit", provider, pk=place.pk), place_data(**week_data(changed)))
    place.refresh_from_db()
    assert place.opening_hours == "Mo,Tu,Th,Fr 09:00-12:00,14:00-17:30; We 14:00-17:30; Sa 09:00-12:00"


@pytest.mark.parametrize(
    ("week", "expected"),
    [
        ({code: [("09:00", "18:00")] for code in CODES}, "Mo-Su 09:00-18:00"),
        ({"mo": [("09:00", "12:00")], "tu": [("09:00", "12:00")], "th": [("09:00", "12:00")]}, "Mo,Tu,Th 09:00-12:00"),
        (
            {"sa": [("10:00", "12:00")], "su": [("10:00", "12:00")], "mo": [("14:00", "18:00")]},
            "Mo 14:00-18:00; Sa,Su 10:00-12:00",
        ),
        # The second range typed first, in the other order, or as a browser without time input sends it.
        ({"we": [("14h", "17 h 30"), ("9:00", "12h")]}, "We 09:00-12:00,14:00-17:30"),
        ({}, ""),
    ],
)
def test_days_with_the_same_hours_share_one_rule(client, provider, provider_admin, week, expected):
    client.force_login(provider_admin)
    response = client.post(url("create", provider), place_data(**week_data(week)))
    assert response.status_code == 302, text(response)
    assert Place.objects.get(provider=provider).opening_hours == expected


@pytest.mark.parametrize(
    ("week", "message"),
    [
        (
            {"mo": [("14:00", "12:00")]},
            "Lundi, 1re plage : l'heure de fermeture (12 h) doit être après l'heure d'ouverture (14 h).",
        ),
        (
            {"tu": [("09:00", "12:30"), ("12:00", "17:00")]},
            "Mardi : les deux plages se chevauchent (9 h – 12 h 30 et 12 h – 17 h).",
        ),
        ({"we": [("09:00", "")]}, "Mercredi, 1re plage : indiquez aussi l'heure de fermeture."),
        ({"su": [("09:00", "12:00"), ("", "18:00")]}, "Dimanche, 2e plage : indiquez aussi l'heure d'ouverture."),
        ({"fr": [("25:00", "26:00")]}, "Vendredi, 1re plage : « 25:00 » n'est pas une heure (par exemple 09:00)."),
    ],
)
def test_impossible_ranges_are_refused_in_french(client, provider, provider_admin, week, message):
    client.force_login(provider_admin)
    response = client.post(url("create", provider), place_data(**week_data(week)))
    html = text(response)
    assert response.status_code == 400
    assert message in html
    assert 'href="#id_opening_hours"' in html and 'id="id_opening_hours"' in html  # the summary's link lands
    assert not Place.objects.exists()


def test_hours_the_table_cannot_hold_stay_in_the_advanced_field(client, provider, provider_admin):
    raw = "Mo-Fr 09:00-12:00; Jul-Aug off; PH 10:00-12:00"
    place = PlaceFactory(provider=provider, opening_hours=raw)
    client.force_login(provider_admin)
    html = text(client.get(url("edit", provider, pk=place.pk)))
    assert f'<input type="text" name="opening_hours" value="{raw}"' in html
    assert '<details class="hours-advanced" open>' in html
    assert "Horaires au format OpenStreetMap" in html
    assert "conservés tels quels dans la saisie avancée" in html
    assert set(shown_values(html).values()) == {""}

    # Another field edited: the hours are kept as they were.
    data = place_data(**week_data({}, advanced=raw), name="Nouveau nom")
    assert client.post(url("edit", provider, pk=place.pk), data).status_code == 302
    place.refresh_from_db()
    assert (place.name, place.opening_hours) == ("Nouveau nom", raw)

    # Both the table and the advanced text: refused rather than one silently dropped.
    response = client.post(url("edit", provider, pk=place.pk), place_data(**week_data(WEEKDAYS, advanced=raw)))
    assert response.status_code == 400
    assert "soit jour par jour, soit dans la saisie avancée, pas les deux" in text(response)

    # The advanced text is still checked by the service.
    response = client.post(url("edit", provider, pk=place.pk), place_data(**week_data({}, advanced="lundi 9h")))
    assert response.status_code == 400
    assert "ne suivent pas la syntaxe OpenStreetMap" in text(response)
    place.refresh_from_db()
    assert place.opening_hours == raw


@pytest.mark.parametrize("raw", OPENING_HOURS)
def test_every_demo_string_is_read_by_the_table_and_written_back_with_the_same_meaning(raw):
    week = hours.osm_to_week(raw)
    assert week is not None
    written = hours.week_to_osm(week)
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    start = datetime.datetime(2026, 3, 2, tzinfo=paris)  # a week without public holidays
    end = start + datetime.timedelta(days=7)

    def spans(expression):
        return list(opening_hours.OpeningHours(expression, timezone=paris).intervals(start, end))

    assert spans(written) == spans(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "24/7",
        'Mo-Fr 09:00-12:00 "sur rendez-vous"',
        "Mo 20:00-02:00",
        "Mo 08:00-09:00,10:00-11:00,12:00-13:00",
        "week 1-10 Mo 09:00-12:00",
        "Mo-Fr 09:00-24:00",
        "Mo-Fr",
    ],
)
def test_what_the_table_cannot_hold_is_not_read_into_it(raw):
    assert hours.osm_to_week(raw) is None


def test_hours_are_read_out_in_french_on_the_provider_page(client, provider, provider_admin):
    place = PlaceFactory(provider=provider, opening_hours="Mo,We,Fr 14:00-17:30; Sa 09:30-12:30; PH off")
    client.force_login(provider_admin)
    html = text(client.get(url("manage", provider, pk=place.pk)))
    assert "Mo,We,Fr" not in html
    for line in (
        "Lundi : 14 h – 17 h 30",
        "Mercredi : 14 h – 17 h 30",
        "Samedi : 9 h 30 – 12 h 30",
        "Fermé le mardi, le jeudi et le dimanche",
        "Fermé les jours fériés",
    ):
        assert f"<li>{line}</li>" in html


def test_hours_with_dates_are_read_out_for_the_next_seven_days(client, provider, provider_admin):
    place = PlaceFactory(provider=provider, opening_hours='Mo-Fr 09:00-12:00 "sur rendez-vous"')
    client.force_login(provider_admin)
    html = text(client.get(url("manage", provider, pk=place.pk)))
    assert "Sept prochains jours" in html
    assert "9 h – 12 h (sur rendez-vous)" in html


def test_week_lines_group_consecutive_days():
    week = hours.osm_to_week("Mo-Tu 09:00-12:00; We-Su 10:00-11:00")
    assert hours.week_lines(week) == ["Lundi et mardi : 9 h – 12 h", "Du mercredi au dimanche : 10 h – 11 h"]


# The point on the map


def test_form_map_starts_at_the_place_then_at_the_commune_centre(client, provider, provider_admin):
    saint_etienne = commune("42218")
    place = PlaceFactory(provider=provider, commune=saint_etienne, latitude=45.44, longitude=4.39)
    client.force_login(provider_admin)
    html = text(client.get(url("edit", provider, pk=place.pk)))
    assert 'data-map="picker"' in html
    assert 'data-lat="45.44" data-lng="4.39" data-zoom="17"' in html
    assert 'data-lat-input="id_latitude" data-lng-input="id_longitude"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # JavaScript in static files only (CSP)
    form = html[html.index('<form method="post" novalidate class="place-form">') :]
    assert 'style="' not in form[: form.index("</form>")]

    # After a refused submit without coordinates, the marker starts at the commune's centre.
    response = client.post(url("edit", provider, pk=place.pk), place_data(latitude="", longitude="", phone="abc"))
    html = text(response)
    assert response.status_code == 400
    assert f'data-lat="{saint_etienne.latitude}" data-lng="{saint_etienne.longitude}" data-zoom="14"' in html
    assert "Le repère part du centre de Saint-Étienne" in html


def test_coordinates_typed_with_a_decimal_comma_move_the_point(client, provider, provider_admin):
    client.force_login(provider_admin)
    response = client.post(url("create", provider), place_data(latitude="45,43512", longitude="4,38801"))
    assert response.status_code == 302
    place = Place.objects.get(provider=provider)
    assert (place.latitude, place.longitude) == (45.43512, 4.38801)
    html = text(client.get(url("edit", provider, pk=place.pk)))
    assert 'data-lat="45.43512" data-lng="4.38801"' in html
    assert 'value="45,43512"' in html  # shown back the French way


def test_coordinates_left_empty_are_filled_from_the_commune_centre_on_edit(client, provider, provider_admin):
    firminy = commune("42095")
    place = PlaceFactory(provider=provider, commune=commune("42218"), latitude=45.44, longitude=4.39)
    client.force_login(provider_admin)
    data = place_data(commune="Firminy (42700) – 42095", postal_code="", latitude="", longitude="")
    assert client.post(url("edit", provider, pk=place.pk), data).status_code == 302
    place.refresh_from_db()
    assert (place.latitude, place.longitude) == (firminy.latitude, firminy.longitude)
