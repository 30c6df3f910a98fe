"""Who may call the API (deny by default), for which provider; and its published description."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from aptic.accounts import token_cache
from aptic.accounts.models import ApiToken
from aptic.accounts.services import api_token_create, api_token_revoke
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.vouchers.models import Redemption

from .test_api import CHECK, LIST, REDEEM, call, cancel_url, error_of, redeem, shop_fixture, snapshot  # noqa: F401

pytestmark = pytest.mark.django_db


def operations(shop, redemption_id=1):
    """Each operation with a valid body: only the credentials vary."""
    return [
        ("post", CHECK, {"place_id": shop.place.pk, "codes": shop.codes[:1]}),
        ("post", REDEEM, {"place_id": shop.place.pk, "offer_id": shop.short.pk, "codes": shop.codes[:1]}),
        ("post", cancel_url(redemption_id), {"reason": "Essai"}),
        ("get", LIST, None),
    ]


# --- API keys --------------------------------------------------------------------------------------


def test_no_credentials_401_on_every_operation_and_no_redirect_to_the_login_page(client, shop):
    before = snapshot()
    for method, url, body in operations(shop):
        response = call(client, method, url, body)
        error_of(response, 401, "not_authenticated", "Authentification requise")
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert snapshot() == before


@pytest.mark.parametrize(
    "header",
    [
        "Bearer aptic_nimporte-quoi",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "aptic_sans-schema",
        "Bearer " + "x" * 5000,
    ],
)
def test_bad_keys_401(client, shop, header):
    before = snapshot()
    for method, url, body in operations(shop):
        response = call(client, method, url, body, HTTP_AUTHORIZATION=header)
        error_of(response, 401, "invalid_token")
    assert snapshot() == before


def test_a_revoked_key_stops_at_once(client, shop):
    assert call(client, "get", LIST, key=shop.key).status_code == 200
    api_token_revoke(token=shop.token)
    before = snapshot()
    for method, url, body in operations(shop):
        error_of(call(client, method, url, body, key=shop.key), 401, "invalid_token", "Clé d'API inconnue ou révoquée.")
    assert snapshot() == before


def test_a_key_revoked_while_a_request_read_it_is_not_remembered(client, shop):
    """A request loads the token just before another one revokes it and caches it just after: the
    revocation moved the cache's generation, so the stale copy is never read."""
    assert call(client, "get", LIST, key=shop.key).status_code == 200
    cache_key, _ = token_cache.cached_token(shop.token.token_hash)  # as the request does, before its read
    stale = ApiToken.objects.select_related("organisation", "created_by").get(pk=shop.token.pk)
    api_token_revoke(token=shop.token)
    token_cache.token_remember(cache_key, stale)
    error_of(call(client, "get", LIST, key=shop.key), 401, "invalid_token")


def test_a_deactivated_organisations_key_stops(client, shop):
    assert call(client, "get", LIST, key=shop.key).status_code == 200  # the key is now cached
    shop.organisation.is_active = False
    shop.organisation.save()
    error_of(call(client, "get", LIST, key=shop.key), 401, "invalid_token")


def test_a_funders_key_is_refused(client, shop, funder, funder_admin):
    _, key = api_token_create(organisation=funder, name="Tableau de bord", created_by=funder_admin)
    before = snapshot()
    for method, url, body in operations(shop):
        error_of(call(client, method, url, body, key=key), 403, "not_provider", "réservée aux structures")
    assert snapshot() == before


def test_a_key_with_another_organisation_named_is_refused(client, shop):
    other = OrganisationFactory(kind="provider")
    response = call(client, "get", LIST, key=shop.key, HTTP_X_ORGANISATION=other.slug)
    error_of(response, 403, "organisation_mismatch")
    assert call(client, "get", LIST, key=shop.key, HTTP_X_ORGANISATION=shop.organisation.slug).status_code == 200


def test_the_key_records_its_last_use(client, shop):
    assert shop.token.last_used_at is None
    call(client, "get", LIST, key=shop.key)
    assert ApiToken.objects.get(pk=shop.token.pk).last_used_at is not None


# --- the site's session ----------------------------------------------------------------------------


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


def csrf_token(browser):
    browser.get("/api/v1/docs")  # any page of the site sets the cookie its forms and scripts use
    return browser.cookies["csrftoken"].value


def test_session_of_a_provider_member_with_csrf(browser, shop):
    member = MembershipFactory(organisation=shop.organisation, role="member").user
    browser.force_login(member)
    assert call(browser, "get", LIST).status_code == 200
    before = snapshot()
    body = {"place_id": shop.place.pk, "offer_id": shop.short.pk, "codes": shop.codes[:1]}
    for headers in [{}, {"HTTP_X_CSRFTOKEN": "faux-jeton-de-32-caracteres-xxxxx"}]:
        error_of(call(browser, "post", REDEEM, body, **headers), 403, "csrf_failed", "Vérification CSRF")
    assert snapshot() == before
    token = csrf_token(browser)
    response = call(browser, "post", REDEEM, body, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    assert Redemption.objects.get().created_by == member  # the user, for a session call
    response = call(browser, "post", CHECK, {"place_id": shop.place.pk, "codes": ["AB"]}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_a_member_of_several_providers_names_one(browser, shop):
    second = OrganisationFactory(kind="provider", name="Deuxième structure")
    MembershipFactory(organisation=second, user=shop.admin)
    funder_side = OrganisationFactory(kind="funder")
    MembershipFactory(organisation=funder_side, user=shop.admin)
    browser.force_login(shop.admin)
    error_of(call(browser, "get", LIST), 400, "organisation_required", "X-Organisation")
    assert call(browser, "get", LIST, HTTP_X_ORGANISATION=shop.organisation.slug).status_code == 200
    assert call(browser, "get", LIST, HTTP_X_ORGANISATION=second.slug).json()["count"] == 0
    error_of(call(browser, "get", LIST, HTTP_X_ORGANISATION=funder_side.slug), 403, "not_provider")
    foreign = OrganisationFactory(kind="provider")
    unknown = call(browser, "get", LIST, HTTP_X_ORGANISATION="nexiste-pas")
    stranger = call(browser, "get", LIST, HTTP_X_ORGANISATION=foreign.slug)
    error_of(unknown, 403, "not_member", "Vous n'êtes pas membre de cette organisation.")
    assert unknown.json() == stranger.json() and stranger.status_code == 403


def test_a_session_outside_any_provider_is_refused(browser, funder_admin):
    browser.force_login(funder_admin)
    error_of(call(browser, "get", LIST), 403, "not_provider")


def test_a_key_wins_over_the_session_and_needs_no_csrf(browser, shop, funder_admin):
    browser.force_login(funder_admin)  # a funder's session in the same browser does not matter
    response = redeem(browser, shop, shop.codes[:1], offer=shop.short)
    assert response.status_code == 201


# --- the published description ---------------------------------------------------------------------


def test_openapi_document_lists_the_four_operations_with_their_errors(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.content)
    assert spec["openapi"].startswith("3.") and spec["info"]["title"] == "API #APTIC"
    found = {
        (method.upper(), route): operation
        for route, item in spec["paths"].items()
        for method, operation in item.items()
    }
    expected = {
        ("POST", "/api/v1/vouchers/check"): ("vouchers_check", {"200", "400", "401", "403", "404", "422"}),
        ("POST", "/api/v1/redemptions"): (
            "redemption_create",
            {"201", "200", "400", "401", "403", "404", "409", "422"},
        ),
        ("POST", "/api/v1/redemptions/{redemption_id}/cancel"): (
            "redemption_cancel",
            {"200", "400", "401", "403", "404", "409"},
        ),
        ("GET", "/api/v1/redemptions"): ("redemptions_list", {"200", "400", "401", "403"}),
    }
    assert set(found) == set(expected)
    for key, (operation_id, statuses) in expected.items():
        operation = found[key]
        assert operation["operationId"] == operation_id
        assert statuses <= set(operation["responses"]), (key, sorted(operation["responses"]))
        for status in statuses - {"200", "201"}:
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}
        assert operation["security"] == [{"ProviderApiKey": []}, {"ProviderSession": []}]
    assert set(spec["components"]["schemas"]["Error"]["required"]) == {"error", "message"}
    assert spec["components"]["securitySchemes"]["ProviderApiKey"] == {"type": "http", "scheme": "bearer"}
    redeem_op = found[("POST", "/api/v1/redemptions")]
    assert [p["name"] for p in redeem_op["parameters"]] == ["Idempotency-Key"]


def test_interactive_docs_use_no_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn" not in page.lower() and "https://" not in page
    for name in ["swagger-ui-bundle.js", "swagger-ui.css"]:
        assert f"/static/vendor/swagger-ui/{name}" in page
        assert finders.find(f"vendor/swagger-ui/{name}"), name
    assert '"validatorUrl": null' in page


def test_openapi_and_docs_are_public_but_operations_are_not(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get(LIST).status_code == 401


def test_dates_come_back_in_paris_time(client, shop):
    body = redeem(client, shop, shop.codes[:1], offer=shop.short).json()
    offset = timezone.localtime().strftime("%z")
    assert body["created_at"].endswith(f"{offset[:3]}:{offset[3:]}")
