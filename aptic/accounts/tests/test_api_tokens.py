"""A provider admin creates and revokes the keys of its till software."""

import re

from django.urls import reverse

from aptic.accounts.models import ApiToken
from aptic.accounts.services import api_token_authenticate
from aptic.core.tests.helpers import text
from aptic.core.tests.test_generations import Process

LIST = "/api/v1/redemptions"


def url(org):
    return reverse("accounts:api_tokens", kwargs={"org_slug": org.slug})


def test_admin_creates_a_key_shown_once_and_stored_hashed(client, provider, provider_admin):
    client.force_login(provider_admin)
    page = text(client.post(url(provider), {"name": "Caisse accueil"}))
    key = re.search(r'<code id="nouvelle-cle">(aptic_[\w-]+)</code>', page).group(1)
    token = ApiToken.objects.get()
    assert token.token_hash != key and key not in token.token_hash and token.prefix == key[:12]
    assert api_token_authenticate(key) == token
    assert key not in text(client.get(url(provider)))


def test_revoked_keys_stop_working(client, provider, provider_admin):
    client.force_login(provider_admin)
    page = text(client.post(url(provider), {"name": "Caisse"}))
    key = re.search(r"(aptic_[\w-]+)</code>", page).group(1)
    token = ApiToken.objects.get()
    client.post(reverse("accounts:api_token_revoke", kwargs={"org_slug": provider.slug, "token_id": token.pk}))
    assert api_token_authenticate(key) is None
    assert "Révoquée le" in text(client.get(url(provider)))


def test_bad_names_and_garbage_keys(client, provider, provider_admin):
    client.force_login(provider_admin)
    assert client.post(url(provider), {"name": ""}).status_code == 400
    client.post(url(provider), {"name": "Caisse"})
    assert "Une clé active porte déjà ce nom." in text(client.post(url(provider), {"name": "Caisse"}))
    for garbage in ["", "aptic_", "x" * 500, "aptic_\x00", None]:
        assert api_token_authenticate(garbage) is None


def test_only_provider_admins_manage_keys(client, provider, funder, funder_admin):
    from aptic.core.tests.factories import MembershipFactory

    member = MembershipFactory(organisation=provider, role="member").user
    client.force_login(member)
    assert client.get(url(provider)).status_code == 403
    client.force_login(funder_admin)
    assert client.get(url(funder)).status_code == 403
    assert client.get(url(provider)).status_code == 403


def test_a_key_revoked_in_one_process_is_refused_at_once_by_another_without_a_shared_cache(
    client, provider, provider_admin
):
    """The review's bench: gunicorn workers without Redis, each with its own memory cache. A key that
    worker B has already accepted once must be refused there as soon as worker A revokes it."""
    client.force_login(provider_admin)
    key = re.search(r"(aptic_[\w-]+)</code>", text(client.post(url(provider), {"name": "Caisse"}))).group(1)
    token = ApiToken.objects.get()
    a, b = Process("worker-a"), Process("worker-b")
    for worker in (a, b):
        with worker.running():
            assert client.get(LIST, HTTP_AUTHORIZATION=f"Bearer {key}").status_code != 401
    with a.running():
        client.post(reverse("accounts:api_token_revoke", kwargs={"org_slug": provider.slug, "token_id": token.pk}))
    with b.running():
        assert client.get(LIST, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
