"""The public sign-up cannot be used to create organisations and send invitations in bulk, nor to
register the platform itself (issue #12)."""

import pytest
from stdnum import luhn

from aptic.accounts.models import Invitation
from aptic.core import legal
from aptic.core.tests.helpers import text

from .test_apply import URL, written

pytestmark = pytest.mark.django_db


def siret(n: int) -> str:
    """A valid SIRET of its own for each n."""
    siren = luhn.calc_check_digit(f"{31000000 + n:08d}")
    siren = f"{31000000 + n:08d}{siren}"
    return siren + "0001" + luhn.calc_check_digit(siren + "0001")


def apply(client, data, n, *, email=None, ip="10.1.0.1", capture):
    body = {**data, "siret": siret(n), "name": f"Structure {n}", "email": email or f"contact{n}@exemple.fr"}
    with capture(execute=True):
        return client.post(URL, body, REMOTE_ADDR=ip)


def test_one_address_sends_at_most_its_limit_of_requests(client, data, settings, django_capture_on_commit_callbacks):
    assert settings.APTIC_PROVIDER_APPLY_THROTTLE["per_address"] == 5
    for n in range(5):
        assert apply(client, data, n, capture=django_capture_on_commit_callbacks).status_code == 302
    before = written()
    response = apply(client, data, 5, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Plusieurs demandes d'inscription ont déjà été envoyées depuis cette connexion" in text(response)
    assert "Réessayez dans" in text(response)
    assert written() == before and Invitation.objects.count() == 5
    # Another address is not concerned.
    assert apply(client, data, 6, ip="10.1.0.2", capture=django_capture_on_commit_callbacks).status_code == 302


def test_one_invited_address_receives_at_most_its_limit_of_invitations(
    client, data, settings, django_capture_on_commit_callbacks
):
    assert settings.APTIC_PROVIDER_APPLY_THROTTLE["per_email"] == 3
    capture = django_capture_on_commit_callbacks
    for n in range(3):
        assert apply(client, data, n, email="cible@exemple.fr", ip=f"10.1.1.{n}", capture=capture).status_code == 302
    response = apply(client, data, 3, email="CIBLE@exemple.fr", ip="10.1.1.9", capture=capture)
    assert response.status_code == 429
    assert Invitation.objects.filter(email="cible@exemple.fr").count() == 3


def test_requests_refused_by_validation_do_not_count(client, data, django_capture_on_commit_callbacks):
    for _ in range(8):
        response = apply(client, {**data, "phone": ""}, 0, capture=django_capture_on_commit_callbacks)
        assert response.status_code == 400
    assert apply(client, data, 0, capture=django_capture_on_commit_callbacks).status_code == 302


@pytest.mark.parametrize("platform_siret", ["", "73282932000074"])
def test_the_platforms_own_siret_is_refused(client, data, settings, platform_siret, django_capture_on_commit_callbacks):
    if platform_siret:
        settings.APTIC_LEGAL_SIRET = platform_siret
    own = legal.seller().siret  # the demonstration identity's when none is set
    before = written()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**data, "siret": f"{own[:3]} {own[3:6]} {own[6:9]} {own[9:]}"})
    assert response.status_code == 400
    assert "Ce numéro SIRET est celui de la plateforme #APTIC elle-même" in text(response)
    assert written() == before
    # Another establishment of the same company is the platform too.
    other = own[:9] + "0002" + luhn.calc_check_digit(own[:9] + "0002")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(URL, {**data, "siret": other}).status_code == 400
