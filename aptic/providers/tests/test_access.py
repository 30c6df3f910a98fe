"""Who may open what: providers never see each other, funders and providers stay in their spaces."""

import pytest
from django.urls import reverse

from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text

from .factories import ProviderFactory, admin_of

PROVIDER_PAGES = ["dashboard", "questionnaire", "charter", "subscription"]


def space(name, organisation):
    return reverse(f"providers:{name}", kwargs={"org_slug": organisation.slug})


@pytest.mark.parametrize("name", PROVIDER_PAGES)
def test_members_open_their_own_provider_pages(client, structure, structure_member, name):
    client.force_login(structure_member)
    assert client.get(space(name, structure.organisation)).status_code == 200


@pytest.mark.parametrize("name", [*PROVIDER_PAGES, "subscription_cancel"])
def test_one_provider_never_opens_anothers_pages(client, structure, structure_admin, commune, name):
    other = ProviderFactory(organisation__commune=commune, organisation__name="Structure voisine")
    client.force_login(structure_admin)
    response = (
        client.post(space(name, other.organisation))
        if name == "subscription_cancel"
        else client.get(space(name, other.organisation))
    )
    assert response.status_code == 403
    assert "Vous n'êtes pas membre de cette organisation." in text(response)
    assert "Structure voisine" not in text(response)


@pytest.mark.parametrize("name", PROVIDER_PAGES)
def test_a_funder_cannot_open_provider_pages(client, funder, funder_admin, name):
    client.force_login(funder_admin)
    response = client.get(space(name, funder))
    assert response.status_code == 403
    assert "pas ouvert à votre type d'organisation" in text(response)


def test_a_provider_cannot_open_the_sponsorship_page(client, structure, structure_admin):
    client.force_login(structure_admin)
    response = client.get(space("sponsorships", structure.organisation))
    assert response.status_code == 403
    assert "pas ouvert à votre type d'organisation" in text(response)


@pytest.mark.parametrize("name", [*PROVIDER_PAGES, "sponsorships"])
def test_anonymous_visitors_are_sent_to_login(client, structure, name):
    response = client.get(space(name, structure.organisation))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_request_form_is_public(client, vocabulary):
    assert client.get(reverse("providers:apply")).status_code == 200
    assert client.get(reverse("providers:apply_done")).status_code == 200


def test_a_distributor_cannot_open_provider_or_funder_pages(client, db):
    distributor = OrganisationFactory(kind="distributor")
    user = MembershipFactory(organisation=distributor, role="admin").user
    client.force_login(user)
    for name in [*PROVIDER_PAGES, "sponsorships"]:
        assert client.get(space(name, distributor)).status_code == 403


def test_a_provider_organisation_made_without_its_record_gets_one(client, provider, provider_admin):
    """Organisations of kind provider made in the back office or by the demo have no Provider yet."""
    client.force_login(provider_admin)
    page = client.get(space("dashboard", provider))
    assert page.status_code == 200 and "Labellisée #APTIC : non" in text(page)
    assert provider.provider.status == "pending"
    assert provider.provider.events.get().to_status == "pending"


def test_a_staff_member_has_no_access_to_a_provider_space_without_membership(client, structure, staff):
    client.force_login(staff)
    assert client.get(space("dashboard", structure.organisation)).status_code == 403


def test_a_second_admin_of_another_provider_cannot_act_here(client, structure, commune):
    other = ProviderFactory(organisation__commune=commune)
    client.force_login(admin_of(other))
    response = client.post(space("questionnaire", structure.organisation), {})
    assert response.status_code == 403
