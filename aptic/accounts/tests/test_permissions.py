"""Deny by default: every view carries an access mark; organisations never see each other."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from aptic.core.access import ACCESS_ATTR
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # the Django admin checks is_staff itself
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_view_declares_who_may_see_it():
    unmarked = [route for route, view in _walk(get_resolver().url_patterns) if not hasattr(view, ACCESS_ATTR)]
    assert unmarked == [], f"Views without @public, @authenticated or @organisation_required: {unmarked}"


def test_every_organisation_url_goes_through_the_membership_check():
    for route, view in _walk(get_resolver().url_patterns):
        if "<slug:org_slug>" in route:
            assert getattr(view, ACCESS_ATTR) == "organisation", route


# The JSON API (aptic/vouchers/api/) authenticates its requests itself: its operations carry the
# `api_endpoint` mark, which lifts the login redirect, and must each declare a security requirement
# in the OpenAPI document (django-ninja's `auth`); only its documentation and JSON 404s are public.
API_PUBLIC_ROUTES = {"api/v1/", "api/v1/openapi.json", "api/v1/docs", "api/v1/^.+$"}


def test_api_urls_are_operations_or_their_documentation():
    api_routes = {route: getattr(view, ACCESS_ATTR) for route, view in _walk(get_resolver().url_patterns)}
    api_routes = {route: level for route, level in api_routes.items() if route.startswith("api/")}
    assert {route for route, level in api_routes.items() if level == "public"} == API_PUBLIC_ROUTES
    assert {level for route, level in api_routes.items() if route not in API_PUBLIC_ROUTES} == {"api"}


def test_every_api_operation_requires_credentials():
    from aptic.vouchers.api import api

    paths = api.get_openapi_schema()["paths"]
    operations = [(method, route, op) for route, item in paths.items() for method, op in item.items()]
    assert operations
    for method, route, operation in operations:
        assert operation.get("security"), f"{method.upper()} {route} is open to anyone"


def test_anonymous_visitor_is_sent_to_login(client, funder):
    for url in [reverse("accounts:home"), reverse("accounts:organisation", kwargs={"org_slug": funder.slug})]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_one_funder_never_sees_another(client, funder, funder_admin):
    other = OrganisationFactory(kind="funder", name="Autre commanditaire")
    client.force_login(funder_admin)
    for name in ["accounts:organisation", "accounts:members"]:
        response = client.get(reverse(name, kwargs={"org_slug": other.slug}))
        assert response.status_code == 403
        assert "Vous n'êtes pas membre de cette organisation." in text(response)
        assert other.name not in text(response)


def test_unknown_and_foreign_organisations_answer_the_same(client, funder_admin):
    other = OrganisationFactory(kind="funder")
    client.force_login(funder_admin)
    foreign = client.get(reverse("accounts:organisation", kwargs={"org_slug": other.slug}))
    unknown = client.get(reverse("accounts:organisation", kwargs={"org_slug": "nexiste-pas"}))
    assert foreign.status_code == unknown.status_code == 403

    def without_csrf(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))

    assert without_csrf(foreign) == without_csrf(unknown)


def test_provider_pages_are_closed_to_funders(client, funder, funder_admin):
    client.force_login(funder_admin)
    response = client.get(reverse("places:mine", kwargs={"org_slug": funder.slug}))
    assert response.status_code == 403
    assert "pas ouvert à votre type d'organisation" in text(response)


def test_deactivated_organisation_is_closed(client, funder, funder_admin):
    funder.is_active = False
    funder.save()
    client.force_login(funder_admin)
    assert client.get(reverse("accounts:organisation", kwargs={"org_slug": funder.slug})).status_code == 403


def test_member_cannot_remove_or_revoke(client, funder, funder_admin, funder_member):
    client.force_login(funder_member)
    admin_membership = funder_admin.memberships.get()
    url = reverse("accounts:member_remove", kwargs={"org_slug": funder.slug, "membership_id": admin_membership.pk})
    assert client.post(url).status_code == 403
    assert funder_admin.memberships.exists()


def test_admin_cannot_remove_members_of_another_organisation(client, funder, funder_admin):
    stranger = MembershipFactory(organisation=OrganisationFactory(kind="provider"))
    client.force_login(funder_admin)
    url = reverse("accounts:member_remove", kwargs={"org_slug": funder.slug, "membership_id": stranger.pk})
    assert client.post(url).status_code == 404
    assert type(stranger).objects.filter(pk=stranger.pk).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_back_office_is_closed_to_organisation_users(client, funder_admin, method):
    client.force_login(funder_admin)
    response = getattr(client, method)(reverse("admin:index"))
    assert response.status_code == 302
    assert "/back-office/login/" in response.url


def test_staff_back_office_is_in_french(client, db):
    from aptic.core.tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    html = text(client.get(reverse("admin:index")))
    assert "Administration de la plateforme" in html
    assert "Comptes et organisations" in html and "Territoires" in html
