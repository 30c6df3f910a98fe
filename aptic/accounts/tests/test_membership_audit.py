"""Changes of an organisation's members are written to the audit journal (issue #12): invitations
sent, revoked and accepted, roles changed, members removed; read on the staff journal page."""

import html
import re

import pytest
from django.core import mail
from django.urls import reverse

from aptic.accounts import services
from aptic.accounts.models import Membership, Role, User
from aptic.audit.models import AuditEvent
from aptic.core.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def members_url(org):
    return reverse("accounts:members", kwargs={"org_slug": org.slug})


def journal():
    return list(AuditEvent.objects.order_by("pk").values_list("action", "actor_id", "organisation_id", "details"))


def test_an_invitation_sent_and_accepted_is_journaled(client, funder, funder_admin, django_capture_on_commit_callbacks):
    client.force_login(funder_admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(members_url(funder), {"email": "Lea@Exemple.fr", "role": "admin"}).status_code == 302
    assert journal() == [
        ("membership.invited", funder_admin.pk, funder.pk, {"email": "lea@exemple.fr", "role": "Administrateur"})
    ]
    link = re.search(r"(/invitation/\S+/)", mail.outbox[-1].body).group(1)
    client.logout()
    password = "une-phrase-tres-solide"
    client.post(link, {"full_name": "Léa Nouvelle", "password": password, "password_confirm": password})
    lea = User.objects.get(email="lea@exemple.fr")
    assert journal()[1:] == [
        ("membership.invitation_accepted", lea.pk, funder.pk, {"email": "lea@exemple.fr", "role": "Administrateur"})
    ]


def test_a_revoked_invitation_is_journaled(client, funder, funder_admin):
    client.force_login(funder_admin)
    client.post(members_url(funder), {"email": "paul@exemple.fr", "role": "member"})
    invitation = funder.invitations.get()
    url = reverse("accounts:invitation_revoke", kwargs={"org_slug": funder.slug, "invitation_id": invitation.pk})
    assert client.post(url).status_code == 302
    assert journal()[-1] == (
        "membership.invitation_revoked",
        funder_admin.pk,
        funder.pk,
        {"email": "paul@exemple.fr", "role": "Membre"},
    )


def test_a_removed_member_is_journaled_and_a_refused_removal_is_not(client, funder, funder_admin):
    member = MembershipFactory(organisation=funder, role="member")
    client.force_login(funder_admin)
    url = reverse("accounts:member_remove", kwargs={"org_slug": funder.slug, "membership_id": member.pk})
    assert client.post(url).status_code == 302
    assert journal() == [
        ("membership.removed", funder_admin.pk, funder.pk, {"email": member.user.email, "role": "Membre"})
    ]
    event = AuditEvent.objects.get()
    assert event.target_id == str(member.pk) and str(member.user) in event.target_label  # kept after the delete
    last_admin = Membership.objects.get(user=funder_admin)
    url = reverse("accounts:member_remove", kwargs={"org_slug": funder.slug, "membership_id": last_admin.pk})
    client.post(url)
    assert Membership.objects.filter(pk=last_admin.pk).exists() and AuditEvent.objects.count() == 1


def test_a_role_change_is_journaled_once(funder, funder_member, staff):
    services.membership_add(user=funder_member, organisation=funder, role=Role.ADMIN, by=staff)
    services.membership_add(user=funder_member, organisation=funder, role=Role.ADMIN, by=staff)  # no change
    assert journal() == [
        (
            "membership.role_changed",
            staff.pk,
            funder.pk,
            {"email": funder_member.email, "role": "Administrateur", "previous_role": "Membre"},
        )
    ]


def test_a_provider_sign_up_invitation_names_the_public_form(funder):
    services.invitation_create(organisation=funder, email="x@exemple.fr", role=Role.ADMIN, invited_by=None)
    assert AuditEvent.objects.get().actor_label == "Inscription en ligne"


def test_the_staff_journal_shows_membership_actions_in_french(client, funder, funder_admin, staff):
    member = MembershipFactory(organisation=funder, role="member")
    services.invitation_create(organisation=funder, email="b@exemple.fr", role=Role.MEMBER, invited_by=funder_admin)
    services.membership_remove(membership=member, by=funder_admin)
    client.force_login(staff)
    page = html.unescape(client.get("/equipe/journal/").content.decode())
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "Invitation envoyée" in body and "Membre retiré" in body
    assert "Adresse e-mail" in body and "b@exemple.fr" in body and funder.name in body
    only = html.unescape(client.get("/equipe/journal/", {"action": "membership.removed"}).content.decode())
    only = only[only.index("<tbody>") : only.index("</tbody>")]
    assert "Membre retiré" in only and "Invitation envoyée" not in only
