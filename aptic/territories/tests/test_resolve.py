"""Designating one commune: the resolver, the form field, the lookup page and the commune page."""

import html
import re

import pytest

from aptic.territories.forms import CommuneField, CommuneLookupForm
from aptic.territories.models import Commune
from aptic.territories.selectors import SearchError, resolve_commune

pytestmark = pytest.mark.django_db

LOOKUP_URL = "/territoires/"


def commune_url(code):
    return f"/territoires/communes/{code}/"


# --- resolve_commune ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Saint-Étienne (42000) – 42218", "42218"),  # the label the autocomplete offers
        ("  Saint-Étienne (42000) – 42218  ", "42218"),
        ("Paris (75001) – 75056", "75056"),
        ("Ajaccio (20000) – 2A004", "2A004"),
        ("Saint-Denis (97400) – 97411", "97411"),
        ("Saint-Aubin (02300) – 02671", "02671"),  # a label makes a homonym unambiguous
        # The only commune whose whole name is Saint-Étienne (the others are Saint-Étienne-de-…).
        ("Saint-Étienne", "42218"),
        ("saint etienne", "42218"),
        ("ST-ÉTIENNE", "42218"),
        ("Lyon", "69123"),
        ("paris", "75056"),
        ("2A004", "2A004"),  # an INSEE code that cannot be a postal code
        ("42000", "42218"),  # a postal code of one commune only
        ("69003", "69123"),
        # Name and postal code, as str(commune) and the autocomplete write it (issue #12).
        ("Saint-Étienne (42000)", "42218"),
        ("Mérignac (33700)", "33281"),
        ("Mérignac (16200)", "16216"),
        # ... and as people type it: no accent, no brackets, any case, extra spaces (issue #12).
        ("merignac 33700", "33281"),
        ("Merignac 33700", "33281"),
        ("MERIGNAC (33700)", "33281"),
        ("Mérignac 33700", "33281"),
        ("  mérignac   (  33700 )  ", "33281"),
        ("Merignac, 33700", "33281"),
        ("merignac 16200", "16216"),
        ("Lyon 69003", "69123"),  # a postal code of Lyon, and the INSEE code of Affoux
        ("saint etienne 42000", "42218"),
    ],
)
def test_resolve_commune_finds_the_designated_commune(typed, code):
    assert resolve_commune(typed).insee_code == code


def test_only_one_commune_is_named_exactly_saint_etienne(communes_csv):
    assert [code for code, row in communes_csv.items() if row["name"] == "Saint-Étienne"] == ["42218"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Saint-Aubin", "Plusieurs communes correspondent à « Saint-Aubin » : choisissez-en une dans la liste."),
        ("st eti", "Plusieurs communes correspondent à « st eti » : choisissez-en une dans la liste."),
        ("01400", "Plusieurs communes correspondent à « 01400 » : choisissez-en une dans la liste."),
        ("Xyzzyville", "Aucune commune ne correspond à « Xyzzyville »."),
        ("99999", "Aucune commune ne correspond à « 99999 »."),
        ("", "Indiquez une commune."),
        ("   ", "Indiquez une commune."),
        ("a" * 101, "Votre recherche est trop longue : tapez le nom ou le code postal d'une commune."),
        ("Lyon\x00", "Votre recherche contient des caractères non valides."),
    ],
)
def test_resolve_commune_says_in_french_what_to_do(typed, message):
    with pytest.raises(SearchError) as excinfo:
        resolve_commune(typed)
    assert str(excinfo.value) == message


def test_one_letter_commune_is_designated_by_its_name():
    assert resolve_commune("Y").insee_code == "80829"


def test_unknown_text_is_quoted_shortened_in_the_message():
    with pytest.raises(SearchError, match=r"^Aucune commune ne correspond à « z{50} »\.$"):
        resolve_commune("z" * 100)


def test_label_with_an_unknown_code_is_searched_as_text():
    with pytest.raises(SearchError, match="Aucune commune ne correspond"):
        resolve_commune("Saint-Étienne (42000) – 99999")


# --- CommuneField ------------------------------------------------------------------------------------


def test_field_cleans_the_label_to_the_commune():
    form = CommuneLookupForm({"commune": "Saint-Étienne (42000) – 42218"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"] == Commune.objects.get(insee_code="42218")


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Indiquez une commune."),
        ("Xyzzyville", "Aucune commune ne correspond à « Xyzzyville »."),
        ("Saint-Aubin", "Plusieurs communes correspondent à « Saint-Aubin » : choisissez-en une dans la liste."),
    ],
)
def test_field_errors_are_french(typed, error):
    form = CommuneLookupForm({"commune": typed})
    assert not form.is_valid()
    assert form.errors["commune"] == [error]


def test_optional_field_accepts_nothing():
    field = CommuneField(required=False)
    assert field.clean("") is None
    assert field.clean(None) is None


def test_field_shows_a_commune_or_its_code_as_the_label():
    field = CommuneField()
    saint_etienne = Commune.objects.get(insee_code="42218")
    assert field.prepare_value(saint_etienne) == "Saint-Étienne (42000) – 42218"
    assert field.prepare_value("42218") == "Saint-Étienne (42000) – 42218"
    assert field.prepare_value("2A004") == "Ajaccio (20000) – 2A004"
    assert field.prepare_value("99999") == "99999"
    assert field.prepare_value("Lyon") == "Lyon"
    assert field.prepare_value(None) is None


def test_field_renders_the_initial_commune_as_its_label():
    form = CommuneLookupForm(initial={"commune": "42218"})
    rendered = str(form["commune"])
    assert 'value="Saint-Étienne (42000) – 42218"' in rendered
    assert 'maxlength="100"' in rendered
    assert 'autocomplete="off"' in rendered


def test_label_of_every_commune_resolves_back_to_it():
    """What the autocomplete offers must be accepted by the field, for every commune."""
    wrong = []
    for commune in Commune.objects.select_related(None).only("insee_code", "name", "postal_codes", "departement"):
        label = commune.label
        if len(label) > 100 or not label.endswith(commune.insee_code):
            wrong.append(label)
    assert wrong == []
    for code in ("01001", "13055", "2B033", "97411", "97611", "22016"):
        commune = Commune.objects.get(insee_code=code)
        assert resolve_commune(commune.label) == commune


# --- The lookup page ---------------------------------------------------------------------------------


def test_lookup_page_shows_the_form(client):
    response = client.get(LOOKUP_URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Territoires</h1>" in page
    assert 'name="commune"' in page
    assert "Tapez le nom ou le code postal, puis choisissez dans la liste." in page


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Saint-Étienne (42000) – 42218", "42218"),
        ("Saint-Étienne", "42218"),
        ("42000", "42218"),
        ("Ajaccio (20000) – 2A004", "2A004"),
    ],
)
def test_lookup_redirects_to_the_commune_page(client, typed, code):
    response = client.get(LOOKUP_URL, {"commune": typed})
    assert response.status_code == 302
    assert response["Location"] == commune_url(code)


def test_lookup_then_commune_page(client):
    response = client.get(LOOKUP_URL, {"commune": "Saint-Étienne (42000) – 42218"}, follow=True)
    assert response.redirect_chain == [(commune_url("42218"), 302)]
    assert "<h1>Saint-Étienne</h1>" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("Xyzzyville", "Aucune commune ne correspond à « Xyzzyville »."),
        ("Saint-Aubin", "Plusieurs communes correspondent à « Saint-Aubin » : choisissez-en une dans la liste."),
        ("", "Indiquez une commune."),
        ("a" * 101, "Votre recherche est trop longue : tapez le nom ou le code postal d&#x27;une commune."),
        ("\x00", "Votre recherche contient des caractères non valides."),
    ],
)
def test_lookup_shows_the_french_error_with_status_400(client, typed, error):
    response = client.get(LOOKUP_URL, {"commune": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    # The form is shown again.
    assert 'name="commune"' in page


def test_refused_lookup_offers_the_matching_communes_without_javascript(client):
    response = client.get(LOOKUP_URL, {"commune": "Saint-Aubin"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Saint-Aubin"' in page
    datalist = re.search(r'<datalist id="id_commune-suggestions">(.*?)</datalist>', page, re.DOTALL)
    assert datalist, page
    options = re.findall(r'<option value="([^"]*)">', datalist.group(1))
    assert len(options) == 10
    assert all(label.startswith("Saint-Aubin (") for label in options)
    # Each offered label is then accepted.
    assert client.get(LOOKUP_URL, {"commune": options[0]}).status_code == 302


def test_refused_lookup_puts_the_focus_on_the_field(client):
    page = client.get(LOOKUP_URL, {"commune": "Xyzzyville"}).content.decode()
    assert re.search(r'<input[^>]*name="commune"[^>]*autofocus', page)


def test_lookup_escapes_what_was_typed(client):
    response = client.get(LOOKUP_URL, {"commune": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("query_string", ["commune=%ff%fe", "commune=%C3", "commune", "autre=1", "commune=%00"])
def test_lookup_survives_odd_query_strings(client, query_string):
    response = client.get(LOOKUP_URL, QUERY_STRING=query_string)
    assert response.status_code == 400


# --- The commune page --------------------------------------------------------------------------------


def _text(response):
    """The page's text, tags removed and every kind of space made a plain one."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"\s+", " ", text)


def test_commune_page_shows_the_commune_and_its_territories(client):
    response = client.get(commune_url("42218"))

    assert response.status_code == 200
    text = _text(response)
    assert "Saint-Étienne" in text
    assert "Code INSEE 42218" in text
    assert "42000 42100 42230" in text
    assert "Intercommunalité Saint-Étienne Métropole" in text
    assert "Département Loire (42)" in text
    assert "Région Auvergne-Rhône-Alpes" in text
    assert "Population 173 136 habitants" in text
    assert "Coordonnées 45.4241, 4.36647" in text
    assert "n'existe plus" not in text


def test_commune_page_of_a_commune_without_intercommunality(client):
    text = _text(client.get(commune_url("29155")))
    assert "Ouessant" in text
    assert "Intercommunalité aucune" in text


def test_commune_page_of_an_overseas_commune(client):
    text = _text(client.get(commune_url("97411")))
    assert "Saint-Denis" in text
    assert "Région La Réunion" in text
    assert "Coordonnées -20.94342, 55.4444" in text


def test_commune_page_with_one_postal_code_says_code_postal(client):
    text = _text(client.get(commune_url("01001")))
    assert "Code postal 01400" in text


def test_commune_page_with_several_postal_codes_says_codes_postaux(client):
    text = _text(client.get(commune_url("13055")))
    assert "Codes postaux 13001 13002" in text


def test_commune_page_of_unknown_code_is_404(client):
    assert client.get(commune_url("99999")).status_code == 404
    assert client.get(commune_url("2a004")).status_code == 404


@pytest.mark.parametrize("code", ["x" * 300, "%F0%9F%8F%B0", "%27%20OR%201%3D1%20--", "%ff%fe"])
def test_commune_page_of_garbage_code_is_404(client, code):
    assert client.get(commune_url(code)).status_code == 404


def test_commune_page_of_code_with_nul_byte_is_404(client):
    assert client.get(commune_url("%00")).status_code == 404
    assert client.get(commune_url("42%00218")).status_code == 404
