"""Properties that hold for any text someone may type."""

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aptic.territories.models import Commune
from aptic.territories.normalise import normalise_name
from aptic.territories.selectors import SearchError, resolve_commune, search_communes

SEARCH_URL = "/territoires/communes/recherche/"

# The tests share the function-scoped `db` and `client` fixtures across examples: they only read.
# No example database, so that nothing is written outside the tests' own folders.
http_settings = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a person may type, biased towards what matters here: names, accents, digits, separators.
typed_text = st.text(max_size=200) | st.text(
    alphabet=st.sampled_from("SsAaIiNnTtEeÉéÈèÀàÇçŒœ'’- _%\\0123456789ЅаΑ🏰\x00\u0301"), max_size=120
)


@given(st.text(max_size=200))
@settings(max_examples=500, database=None)
def test_normalise_name_is_idempotent(text):
    once = normalise_name(text)
    assert normalise_name(once) == once


@given(st.text(max_size=200))
@settings(max_examples=500, database=None)
def test_normalise_name_gives_lower_case_ascii_words(text):
    assert re.fullmatch(r"([a-z0-9]+( [a-z0-9]+)*)?", normalise_name(text))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Saint-Étienne", "st etienne"),
        ("ST-ÉTIENNE", "st etienne"),
        ("  saint   etienne ", "st etienne"),
        ("Sainte-Marie-aux-Mines", "ste marie aux mines"),
        ("Saintes", "stes"),
        ("Saints-Geosmes", "sts geosmes"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
        ("Bœurs-en-Othe", "boeurs en othe"),
        ("Ainay-le-Château", "ainay le chateau"),
        ("Saintry-sur-Seine", "saintry sur seine"),  # "saint" only as a whole word
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_name_examples(name, expected):
    assert normalise_name(name) == expected


@pytest.mark.django_db
@given(query=typed_text)
@http_settings
def test_search_endpoint_never_fails(client, query):
    response = client.get(SEARCH_URL, {"q": query})
    assert response.status_code in (200, 400)
    data = response.json()
    assert len(data["results"]) <= 10
    if response.status_code == 400:
        assert data["error"]


@pytest.mark.django_db
@given(query=typed_text)
@http_settings
def test_search_endpoint_for_htmx_never_fails(client, query):
    response = client.get(SEARCH_URL, {"field": "commune", "commune": query}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.decode().count("<option") <= 10


@pytest.mark.django_db
@given(raw=st.binary(max_size=60))
@http_settings
def test_search_endpoint_survives_any_bytes_in_the_query_string(client, raw):
    query_string = "q=" + "".join(f"%{byte:02x}" for byte in raw)
    response = client.get(SEARCH_URL, QUERY_STRING=query_string)
    assert response.status_code in (200, 400)


@pytest.mark.django_db
@given(query=typed_text)
@http_settings
def test_lookup_page_never_fails(client, query):
    response = client.get("/territoires/", {"commune": query})
    assert response.status_code in (302, 400)


@pytest.mark.django_db
@given(query=typed_text)
@http_settings
def test_selectors_only_raise_search_errors(query):
    try:
        results = search_communes(query)
    except SearchError as exc:
        assert str(exc)
    else:
        assert all(c.is_current for c in results)
    try:
        resolve_commune(query)
    except SearchError as exc:
        assert str(exc)


@pytest.fixture(scope="module")
def homonyms(communes_csv):
    """How many communes share each normalised name, and each postal code."""
    names = Counter(normalise_name(row["name"]) for row in communes_csv.values())
    postal_codes = Counter(code for row in communes_csv.values() for code in row["postal_codes"].split())
    return names, postal_codes


@pytest.mark.django_db
@given(data=st.data())
@http_settings
def test_any_commune_is_found_by_its_name_its_postal_code_and_its_label(communes_csv, homonyms, data):
    same_name, same_postal_code = homonyms
    code = data.draw(st.sampled_from(sorted(communes_csv)), label="insee_code")
    row = communes_csv[code]
    commune = Commune.objects.get(insee_code=code)

    assert resolve_commune(commune.label) == commune

    needle = normalise_name(row["name"])
    if len(needle) >= 2 and same_name[needle] <= 10:  # the one-letter "Y" aside: see test_resolve
        assert code in [c.insee_code for c in search_communes(row["name"])]
        if same_name[needle] == 1:
            assert resolve_commune(row["name"]) == commune

    postal_code = data.draw(st.sampled_from(row["postal_codes"].split()), label="postal_code")
    if same_postal_code[postal_code] <= 10:
        assert code in [c.insee_code for c in search_communes(postal_code)]
