"""Staff two-factor authentication (ADR 0019): staff pages and the back office need a code."""

import datetime
import re
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aptic.core.access import ACCESS_ATTR
from aptic.core.tests.factories import PASSWORD, UserFactory
from aptic.core.tests.helpers import text

from .test_permissions import _walk

ENROL = reverse("accounts:two_factor_enrol")
VERIFY = reverse("accounts:two_factor_verify")
STAFF_PAGE = reverse("billing:staff_quotes")
ADMIN = "/back-office/"


def login(client, user):
    """A real login through the site's form (force_login of staff is verified by the conftest)."""
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def current_code(device: TOTPDevice) -> str:
    """What the staff member's authenticator application shows now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _path(response):
    return urlparse(response["Location"]).path


@pytest.fixture
def unenrolled_staff(db):
    return UserFactory(is_staff=True, is_superuser=True, otp_device=False)


@pytest.fixture
def enrolled_staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_staff_without_device_is_sent_to_enrol_from_staff_pages_and_back_office(client, unenrolled_staff):
    login(client, unenrolled_staff)
    for url in [STAFF_PAGE, ADMIN, "/back-office/accounts/user/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert _path(response) == ENROL
        assert "next=" in response["Location"]


def test_every_staff_view_is_gated(client, unenrolled_staff):
    """Walks every URL whose view is @staff_required: none opens without the second factor."""
    login(client, unenrolled_staff)
    routes = [route for route, view in _walk(get_resolver().url_patterns) if getattr(view, ACCESS_ATTR) == "staff"]
    assert len(routes) > 20
    for route in routes:
        url = "/" + re.sub(r"<int:\w+>", "1", re.sub(r"<(?:str|slug|path):\w+>", "x", route))
        response = client.get(url)
        assert response.status_code == 302 and _path(response) == ENROL, url


def test_enrolment_shows_a_qr_code_refuses_a_wrong_code_and_gives_recovery_codes(client, unenrolled_staff):
    login(client, unenrolled_staff)
    page = client.get(ENROL + "?next=" + STAFF_PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Code QR" in html
    assert "style=" not in html and "<script>" not in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert '<label for="id_code"' in html
    device = TOTPDevice.objects.get(user=unenrolled_staff, confirmed=False)
    secret = page.context["enrolment"].secret.replace(" ", "")
    assert secret in html.replace(" ", "")

    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(ENROL, {"code": wrong, "next": STAFF_PAGE})
    assert response.status_code == 400
    assert "Ce code n'est pas valide" in text(response)
    assert client.get(STAFF_PAGE).status_code == 302

    throttle_waited(device)  # django-otp throttles: 1 s after the first failure
    response = client.post(ENROL, {"code": current_code(device), "next": STAFF_PAGE})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in text(response)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(STAFF_PAGE).status_code == 200
    assert client.get(ADMIN).status_code == 200
    # Enrolled: the enrolment page no longer shows a secret.
    assert client.get(ENROL).status_code == 302


def throttle_waited(device):
    """As if the throttle's delay had passed: the last failure moved back in time, not a sleep."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=10)
    )


def test_enrolled_staff_enters_a_code_after_login(client, enrolled_staff):
    login(client, enrolled_staff)
    response = client.get(ADMIN)
    assert response.status_code == 302 and _path(response) == VERIFY

    device = TOTPDevice.objects.get(user=enrolled_staff)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong, "next": ADMIN})
    assert response.status_code == 400
    assert "Ce code n'est pas valide" in text(response)
    assert client.get(ADMIN).status_code == 302
    # Throttled: even the right code waits for the delay after a failure.
    response = client.post(VERIFY, {"code": current_code(device), "next": ADMIN})
    assert response.status_code == 400 and "Trop d'essais" in text(response)

    throttle_waited(device)
    code = current_code(device)
    response = client.post(VERIFY, {"code": code, "next": ADMIN})
    assert response.status_code == 302 and response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200
    assert client.get(STAFF_PAGE).status_code == 200
    # The same code cannot be replayed in another session.
    other = login(Client(), enrolled_staff)
    assert other.post(VERIFY, {"code": code, "next": ADMIN}).status_code == 400


def test_verify_rejects_an_open_redirect(client, enrolled_staff):
    login(client, enrolled_staff)
    device = TOTPDevice.objects.get(user=enrolled_staff)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://pirate.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")


def test_a_recovery_code_works_once(enrolled_staff):
    from aptic.accounts.two_factor import recovery_codes_create

    codes = recovery_codes_create(user=enrolled_staff)
    first = login(Client(), enrolled_staff)
    response = first.post(VERIFY, {"secours-code": codes[0].upper(), "next": STAFF_PAGE})
    assert response.status_code == 302 and response["Location"] == STAFF_PAGE
    assert first.get(STAFF_PAGE).status_code == 200
    assert StaticToken.objects.filter(device__user=enrolled_staff).count() == 9

    second = login(Client(), enrolled_staff)
    response = second.post(VERIFY, {"secours-code": codes[0], "next": STAFF_PAGE})
    assert response.status_code == 400
    assert "Ce code n'est pas valide" in text(response)
    assert second.get(STAFF_PAGE).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, enrolled_staff):
    from aptic.accounts.two_factor import recovery_codes_create

    old = recovery_codes_create(user=enrolled_staff)
    client.force_login(enrolled_staff)
    response = client.post(reverse("accounts:two_factor_recovery_codes"))
    assert response.status_code == 200
    new = response.context["codes"]
    tokens = set(StaticToken.objects.filter(device__user=enrolled_staff).values_list("token", flat=True))
    assert tokens == set(new) and not tokens & set(old)


def test_non_staff_are_not_asked_for_a_code(client, funder_admin, funder):
    login(client, funder_admin)
    assert client.get(reverse("accounts:organisation_card", kwargs={"org_slug": funder.slug})).status_code == 200
    assert client.get(reverse("funders:commercial_orders", kwargs={"org_slug": funder.slug})).status_code == 200
    assert client.get(ENROL).status_code == 403
    assert client.get(VERIFY).status_code == 403
    # and the staff pages stay closed to them, as before
    assert client.get(STAFF_PAGE).status_code == 403
    assert not TOTPDevice.objects.filter(user=funder_admin).exists()


def test_only_public_pages_and_the_way_to_the_code_open_before_it(client, enrolled_staff):
    """A staff password alone opens public pages, the code page and logging out; nothing else."""
    login(client, enrolled_staff)
    assert client.get(reverse("site:home")).status_code == 200
    assert client.get(VERIFY).status_code == 200
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and _path(response) == VERIFY
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_a_staff_password_alone_cannot_invite_into_the_platform_team(client, enrolled_staff):
    """The review's path: the platform team's members page, then an invitation of an administrator."""
    from aptic.accounts.models import Invitation, OrganisationKind
    from aptic.core.tests.factories import MembershipFactory, OrganisationFactory

    team = OrganisationFactory(kind=OrganisationKind.PLATFORM, name="Équipe #APTIC")
    MembershipFactory(user=enrolled_staff, organisation=team, role="admin")
    login(client, enrolled_staff)
    members = reverse("accounts:members", kwargs={"org_slug": team.slug})
    for response in (
        client.get(members),
        client.post(members, {"email": "intrus@exemple.org", "role": "admin"}),
    ):
        assert response.status_code == 302 and _path(response) == VERIFY
    assert not Invitation.objects.exists()
    # Once the code is given, the same page opens.
    device = TOTPDevice.objects.get(user=enrolled_staff)
    client.post(VERIFY, {"code": current_code(device)})
    assert client.get(members).status_code == 200
