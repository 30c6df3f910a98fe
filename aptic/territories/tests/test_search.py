"""Searching a commune, as the autocomplete field and scripts do."""

import re

import pytest

from aptic.territories.selectors import SearchError, search_communes

pytestmark = pytest.mark.django_db

SEARCH_URL = "/territoires/communes/recherche/"


def codes(communes):
    return [c.insee_code for c in communes]


# --- The selector ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["st etienne", "ST-ÉTIENNE", "saint etienne", "Saint-Étienne", "  saint-etienne  "])
def test_saint_etienne_comes_first_however_it_is_typed(query):
    assert codes(search_communes(query))[0] == "42218"


def test_postal_code_finds_its_commune():
    assert codes(search_communes("42000")) == ["42218"]
    assert codes(search_communes("42100")) == ["42218"]


def _expected_for_prefix(communes_csv, prefix):
    rows = [row for row in communes_csv.values() if any(p.startswith(prefix) for p in row["postal_codes"].split())]
    return [row["insee_code"] for row in sorted(rows, key=lambda row: -int(row["population"]))[:10]]


@pytest.mark.parametrize("prefix", ["420", "421", "422", "42", "200", "974", "75", "01400"])
def test_postal_code_prefix_finds_the_most_populated_communes_of_those_codes(communes_csv, prefix):
    results = search_communes(prefix)

    assert all(any(code.startswith(prefix) for code in c.postal_codes.split()) for c in results)
    assert codes(results) == _expected_for_prefix(communes_csv, prefix)


def test_prefix_420_is_saint_etienne_only(communes_csv):
    # 42000 is the only postal code starting with 420 (42100 and 42230 are Saint-Étienne's others).
    assert codes(search_communes("420")) == ["42218"]
    assert len(search_communes("421")) == 10


def test_commune_with_several_postal_codes_appears_once():
    assert codes(search_communes("690")).count("69123") == 1
    assert codes(search_communes("75")).count("75056") == 1


def test_word_inside_a_name_is_found():
    found = codes(search_communes("abergement"))
    assert "01001" in found  # L'Abergement-Clémenciat
    # Names starting with the word come before names where it is a later word.
    names = [c.name for c in search_communes("abergement")]
    assert names[0].startswith("Abergement")
    # Only whole-word starts: "Labergement-Foigney" does not contain the word "abergement".
    assert not any(name.startswith("Labergement") for name in names)


def test_exact_name_comes_before_longer_names():
    assert codes(search_communes("paris"))[0] == "75056"
    assert codes(search_communes("Lyon"))[0] == "69123"
    assert codes(search_communes("marseille"))[0] == "13055"
    assert codes(search_communes("ajaccio"))[0] == "2A004"


def test_equally_good_matches_are_ordered_by_population():
    results = search_communes("Saint-Aubin")
    assert all(c.name == "Saint-Aubin" for c in results)
    populations = [c.population for c in results]
    assert populations == sorted(populations, reverse=True)


def test_results_are_limited_to_ten():
    assert len(search_communes("st")) == 10
    assert len(search_communes("ste")) == 10
    assert len(search_communes("st", limit=3)) == 3


@pytest.mark.parametrize("query", ["", " ", "a", "-", "'", "%", "_", "%%", "__", "' OR 1=1 --", "\t\n"])
def test_too_short_or_meaningless_queries_find_nothing(query):
    assert search_communes(query) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("a" * 101, "Votre recherche est trop longue : tapez le nom ou le code postal d'une commune."),
        ("st\x00etienne", "Votre recherche contient des caractères non valides."),
        (None, "Tapez le nom ou le code postal d'une commune."),
        (42000, "Tapez le nom ou le code postal d'une commune."),
    ],
)
def test_unsearchable_queries_raise_a_french_message(query, message):
    with pytest.raises(SearchError, match=re.escape(message)):
        search_communes(query)


def test_hundred_characters_are_still_searched():
    assert search_communes("a" * 100) == []
    assert codes(search_communes("saint etienne".ljust(100)))[0] == "42218"


def test_sql_wildcards_are_not_wildcards():
    # "%" and "_" are dropped by the normalisation: "s%tienne" must not match "st etienne".
    assert search_communes("s%tienne") == []
    assert search_communes("s_ etienne") == []
    assert search_communes("42%") == []
    assert search_communes("4200_") == []


def test_only_current_communes_are_found():
    from aptic.territories.models import Commune

    Commune.objects.filter(insee_code="42218").update(is_current=False)
    assert "42218" not in codes(search_communes("saint etienne"))
    assert "42218" not in codes(search_communes("42000"))


# --- The JSON endpoint -------------------------------------------------------------------------------


def test_endpoint_answers_json_with_labels(client):
    response = client.get(SEARCH_URL, {"q": "st etienne"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    first = response.json()["results"][0]
    assert first == {
        "insee_code": "42218",
        "name": "Saint-Étienne",
        "postal_codes": ["42000", "42100", "42230"],
        "departement": "Loire",
        "label": "Saint-Étienne (42000) – 42218",
    }


def test_endpoint_is_public_and_limited_to_ten(client):
    response = client.get(SEARCH_URL, {"q": "saint"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 10


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("st etienne", "42218"),
        ("ST-ÉTIENNE", "42218"),
        ("saint etienne", "42218"),
        ("Saint-Étienne", "42218"),
        ("42000", "42218"),
        ("paris", "75056"),
        ("🏰 Saint-Étienne 🏰", "42218"),
    ],
)
def test_endpoint_puts_the_expected_commune_first(client, query, first):
    response = client.get(SEARCH_URL, {"q": query})
    assert response.status_code == 200
    assert response.json()["results"][0]["insee_code"] == first


HOSTILE_QUERIES = [
    "",
    "a",
    "é",
    "a" * 100,
    "a" * 101,
    "é" * 101,
    "\x00",
    "st\x00etienne",
    "' OR 1=1 --",
    "'; DROP TABLE territories_commune; --",
    "%",
    "_",
    "%%%%",
    "\\",
    "\\%",
    "🏰",
    "😀" * 50,
    "Ѕaint-Étienne",  # Cyrillic capital DZE, not a Latin S
    "Saint-Ёtienne",
    "سانت إتيان",
    "圣艾蒂安",
    "\u200b\u200b",
    "\ufeffparis",
    "\ufffd\ufffd",
    "\r\n",
    "<script>alert(1)</script>",
    "४२०००",  # Devanagari digits: \d in Python regex, not a postal code
    "４２０００",  # full-width digits
]


def _assert_sane_json(response):
    assert response.status_code in (200, 400), response.status_code
    data = response.json()
    assert isinstance(data["results"], list)
    if response.status_code == 400:
        assert data["results"] == []
        assert data["error"]
        # French: says what to type.
        assert "commune" in data["error"] or "caractères" in data["error"]
    return data


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_endpoint_never_fails_on_odd_input(client, query):
    _assert_sane_json(client.get(SEARCH_URL, {"q": query}))


@pytest.mark.parametrize(
    ("query", "status", "error"),
    [
        ("", 200, None),
        ("a", 200, None),
        ("a" * 101, 400, "Votre recherche est trop longue : tapez le nom ou le code postal d'une commune."),
        ("\x00", 400, "Votre recherche contient des caractères non valides."),
        ("' OR 1=1 --", 200, None),
        ("%", 200, None),
        ("_", 200, None),
    ],
)
def test_endpoint_status_and_french_error(client, query, status, error):
    response = client.get(SEARCH_URL, {"q": query})
    assert response.status_code == status
    data = response.json()
    assert data["results"] == []
    assert data.get("error") == error


def test_sql_injection_does_not_return_everything(client):
    data = client.get(SEARCH_URL, {"q": "' OR 1=1 --"}).json()
    assert data["results"] == []
    data = client.get(SEARCH_URL, {"q": "x' OR 'a'='a"}).json()
    assert data["results"] == []


@pytest.mark.parametrize(
    "query_string",
    [
        "q=%ff%fe",
        "q=%C3",
        "q=st%20%ff%20etienne",
        "q=%ed%a0%80",
        "q=%00",
        "q",
        "q=a&q=%ff",
        "%ff=%fe",
        "field=%ff&%ff=x",
        "field=&q=paris",
        "q=%",
    ],
)
def test_endpoint_survives_raw_invalid_query_strings(client, query_string):
    response = client.get(SEARCH_URL, QUERY_STRING=query_string)
    _assert_sane_json(response)


def test_raw_utf8_query_string_is_decoded(client):
    response = client.get(SEARCH_URL, QUERY_STRING="q=saint-%C3%89tienne")
    assert response.status_code == 200
    assert response.json()["results"][0]["insee_code"] == "42218"


def test_missing_query_gives_no_results(client):
    response = client.get(SEARCH_URL)
    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_post_is_not_a_search_but_not_a_crash(client):
    response = client.post(SEARCH_URL, {"q": "paris"})
    assert response.status_code < 500


# --- htmx: the autocomplete's <option>s --------------------------------------------------------------


def test_htmx_request_gets_html_options(client):
    response = client.get(SEARCH_URL, {"q": "st etienne"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', html)
    assert 1 <= len(options) <= 10
    assert options[0] == ("Saint-Étienne (42000) – 42218", "Loire")
    assert "<html" not in html  # a fragment, not a page


def test_htmx_options_are_escaped(client):
    html = client.get(SEARCH_URL, {"q": "abergement"}, headers={"HX-Request": "true"}).content.decode()
    assert 'value="L&#x27;Abergement-Clémenciat (01400) – 01001"' in html


@pytest.mark.parametrize("query", ["a" * 101, "\x00", "<script>", ""])
def test_htmx_request_with_bad_query_gets_no_options(client, query):
    response = client.get(SEARCH_URL, {"q": query}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<option" not in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_htmx_request_with_invalid_utf8(client):
    response = client.get(SEARCH_URL, QUERY_STRING="q=%ff%fe", headers={"HX-Request": "true"})
    assert response.status_code == 200


# --- The widget's `field` parameter ------------------------------------------------------------------


def test_field_parameter_names_the_parameter_holding_the_query(client):
    response = client.get(SEARCH_URL, {"field": "commune", "commune": "st eti"})
    assert response.status_code == 200
    assert response.json()["results"][0]["insee_code"] == "42218"


def test_field_parameter_wins_over_q(client):
    response = client.get(SEARCH_URL, {"field": "commune", "commune": "paris", "q": "lyon"})
    assert response.json()["results"][0]["insee_code"] == "75056"


def test_field_parameter_falls_back_to_q_when_the_named_parameter_is_missing(client):
    response = client.get(SEARCH_URL, {"field": "commune", "q": "lyon"})
    assert response.json()["results"][0]["insee_code"] == "69123"


def test_field_parameter_errors_are_in_french(client):
    response = client.get(SEARCH_URL, {"field": "commune", "commune": "x" * 101})
    assert response.status_code == 400
    assert response.json()["error"].startswith("Votre recherche est trop longue")


def test_autocomplete_as_htmx_sends_it(client):
    """What the browser does: read hx-get off the lookup page's field, then send the typed value under its name."""
    page = client.get("/territoires/").content.decode()
    match = re.search(r'<input[^>]*name="commune"[^>]*hx-get="([^"]+)"', page)
    assert match, page
    url = match.group(1).replace("&amp;", "&")
    assert url == f"{SEARCH_URL}?field=commune"
    assert 'list="id_commune-suggestions"' in page
    assert '<datalist id="id_commune-suggestions"></datalist>' in page

    response = client.get(url + "&commune=st%20eti", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert '<option value="Saint-Étienne (42000) – 42218">Loire</option>' in response.content.decode()
