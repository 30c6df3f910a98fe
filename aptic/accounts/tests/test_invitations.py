"""An organisation admin invites people; they join by the e-mailed link."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from aptic.accounts.models import Invitation, Membership, User
from aptic.core.tests.helpers import text


def members_url(org):
    return reverse("accounts:members", kwargs={"org_slug": org.slug})


def invite(client, org, email, role="member", capture=None):
    if capture is None:
        return client.post(members_url(org), {"email": email, "role": role})
    with capture(execute=True):
        return client.post(members_url(org), {"email": email, "role": role})


def link_from_last_email():
    return re.search(r"http://127\.0\.0\.1:8000(/invitation/\S+/)", mail.outbox[-1].body).group(1)


def test_admin_invites_and_the_new_person_creates_an_account(
    client, funder, funder_admin, django_capture_on_commit_callbacks
):
    client.force_login(funder_admin)
    response = invite(client, funder, "Nouvelle.Personne@Exemple.fr", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["nouvelle.personne@exemple.fr"]
    assert funder.name in mail.outbox[-1].subject
    link = link_from_last_email()
    client.logout()

    page = client.get(link)
    assert page.status_code == 200 and funder.name in text(page)
    password = "une-phrase-tres-solide"
    response = client.post(
        link, {"full_name": "Nouvelle Personne", "password": password, "password_confirm": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("funders:dashboard", kwargs={"org_slug": funder.slug})
    user = User.objects.get(email="nouvelle.personne@exemple.fr")
    assert Membership.objects.get(user=user, organisation=funder).role == "member"
    assert user.check_password(password)
    # The link works once.
    client.logout()
    assert client.get(link).status_code == 404


def test_only_a_hash_of_the_token_is_stored(client, funder, funder_admin, django_capture_on_commit_callbacks):
    client.force_login(funder_admin)
    invite(client, funder, "a@exemple.fr", capture=django_capture_on_commit_callbacks)
    token = link_from_last_email().split("/")[2]
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.get(email="a@exemple.fr").token_hash != token


def test_existing_user_accepts_while_logged_in(client, funder, funder_admin, user, django_capture_on_commit_callbacks):
    client.force_login(funder_admin)
    invite(client, funder, user.email, role="admin", capture=django_capture_on_commit_callbacks)
    link = link_from_last_email()
    client.force_login(user)
    response = client.post(link)
    assert response.status_code == 302
    assert Membership.objects.get(user=user, organisation=funder).role == "admin"


def test_invitation_for_someone_else_is_refused(client, funder, funder_admin, user, django_capture_on_commit_callbacks):
    client.force_login(funder_admin)
    invite(client, funder, "quelquun@exemple.fr", capture=django_capture_on_commit_callbacks)
    link = link_from_last_email()
    client.force_login(user)
    response = client.post(link, follow=True)
    assert "Cette invitation est adressée à quelquun@exemple.fr" in text(response)
    assert not Membership.objects.filter(user=user, organisation=funder).exists()


def test_member_cannot_invite(client, funder, funder_member):
    client.force_login(funder_member)
    response = invite(client, funder, "x@exemple.fr")
    assert response.status_code == 403
    assert "administrateurs" in text(response)
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    "email,message",
    [
        ("", "Ce champ est obligatoire."),
        ("pas une adresse", "Saisissez une adresse e-mail valide"),
        ("x" * 300 + "@exemple.fr", "au plus 254 caractères"),
        ("<script>alert(1)</script>@exemple.fr", "Saisissez une adresse e-mail valide"),
        ("robert'); DROP TABLE accounts_user;--@exemple.fr", "Saisissez une adresse e-mail valide"),
        ("nul\x00@exemple.fr", "Le caractère nul n’est pas autorisé."),
    ],
)
def test_bad_invitation_input_gets_a_french_message_and_writes_nothing(client, funder, funder_admin, email, message):
    client.force_login(funder_admin)
    response = invite(client, funder, email)
    assert response.status_code == 400
    assert message in text(response)
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_a_member_again_is_refused(client, funder, funder_admin, funder_member):
    client.force_login(funder_admin)
    response = invite(client, funder, funder_member.email.upper())
    assert response.status_code == 400
    assert "déjà membre" in text(response)


def test_inviting_again_sends_a_new_link_and_voids_the_old_one(
    client, funder, funder_admin, django_capture_on_commit_callbacks
):
    client.force_login(funder_admin)
    invite(client, funder, "b@exemple.fr", capture=django_capture_on_commit_callbacks)
    first = link_from_last_email()
    invite(client, funder, "B@exemple.fr", capture=django_capture_on_commit_callbacks)
    second = link_from_last_email()
    client.logout()
    assert "annulée" in text(client.get(first))
    assert client.get(second).status_code == 200
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_expired_revoked_and_garbage_links(client, funder, funder_admin, django_capture_on_commit_callbacks):
    client.force_login(funder_admin)
    invite(client, funder, "c@exemple.fr", capture=django_capture_on_commit_callbacks)
    link = link_from_last_email()
    client.logout()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(link)
    assert response.status_code == 404 and "a expiré" in text(response)
    for garbage in ["x", "A" * 500, "%00", "'--", "é"]:
        response = client.get(f"/invitation/{garbage}/")
        assert response.status_code == 404
        assert "Ce lien d'invitation n'est pas valide." in text(response)


def test_admin_revokes_a_pending_invitation(client, funder, funder_admin, django_capture_on_commit_callbacks):
    client.force_login(funder_admin)
    invite(client, funder, "d@exemple.fr", capture=django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    url = reverse("accounts:invitation_revoke", kwargs={"org_slug": funder.slug, "invitation_id": invitation.pk})
    assert client.post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_new_account_password_rules_are_french(client, funder, funder_admin, django_capture_on_commit_callbacks):
    client.force_login(funder_admin)
    invite(client, funder, "e@exemple.fr", capture=django_capture_on_commit_callbacks)
    link = link_from_last_email()
    client.logout()
    response = client.post(link, {"full_name": "E", "password": "123", "password_confirm": "123"})
    assert response.status_code == 400
    assert "trop court" in text(response)
    assert not User.objects.filter(email="e@exemple.fr").exists()
    response = client.post(link, {"full_name": "E", "password": "abcdefghijkl1", "password_confirm": "autre"})
    assert "Les deux mots de passe ne sont pas identiques." in text(response)


def test_last_admin_cannot_be_removed(client, funder, funder_admin, funder_member):
    client.force_login(funder_admin)
    own = Membership.objects.get(user=funder_admin)
    url = reverse("accounts:member_remove", kwargs={"org_slug": funder.slug, "membership_id": own.pk})
    response = client.post(url, follow=True)
    assert "au moins un administrateur" in text(response)
    assert Membership.objects.filter(pk=own.pk).exists()
    other = Membership.objects.get(user=funder_member)
    url = reverse("accounts:member_remove", kwargs={"org_slug": funder.slug, "membership_id": other.pk})
    client.post(url)
    assert not Membership.objects.filter(pk=other.pk).exists()
