"""The charter: the current published version, accepted by an administrator; a new version again."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aptic.core.errors import AccessDenied, DomainError
from aptic.core.tests.helpers import text
from aptic.providers import selectors, services
from aptic.providers.models import CharterAcceptance

from .factories import CharterVersionFactory, SubscriptionFactory


def url(provider):
    return reverse("providers:charter", kwargs={"org_slug": provider.organisation.slug})


def test_the_migrations_publish_version_1(db):
    charter = selectors.current_charter()
    assert charter.version == 1 and charter.title == "Charte #APTIC et conditions générales d'utilisation"
    for commitment in [
        "médiateurs numériques formés",
        "tous les publics",
        "Aucune monnaie n'est rendue",
        "ni vendus",
        "RGPD",
        "valeur faciale",
    ]:
        assert commitment in charter.body


def test_an_administrator_reads_and_accepts_the_charter(client, qualified, qualified_admin):
    client.force_login(qualified_admin)
    page = text(client.get(url(qualified)))
    assert "Article 4 — L'acceptation des chèques #APTIC" in page
    assert "J'ai lu la charte" in page
    response = client.post(url(qualified), {"version": selectors.current_charter().pk, "accept": "on"}, follow=True)
    assert "a accepté la charte (version 1)" in text(response)
    acceptance = CharterAcceptance.objects.get()
    assert (acceptance.provider, acceptance.version.version, acceptance.accepted_by) == (qualified, 1, qualified_admin)
    assert timezone.now() - acceptance.accepted_at < datetime.timedelta(minutes=1)
    assert selectors.has_accepted_current_charter(qualified)


def test_the_checkbox_is_required(client, qualified, qualified_admin):
    client.force_login(qualified_admin)
    response = client.post(url(qualified), {"version": selectors.current_charter().pk})
    assert response.status_code == 400
    assert "Cochez la case pour accepter la charte." in text(response)
    assert not CharterAcceptance.objects.exists()


def test_an_old_version_cannot_be_accepted(client, qualified, qualified_admin):
    client.force_login(qualified_admin)
    read = selectors.current_charter()
    client.get(url(qualified))
    newer = CharterVersionFactory()  # published while the page was open
    response = client.post(url(qualified), {"version": read.pk, "accept": "on"})
    assert response.status_code == 400
    assert f"n'est plus en vigueur : lisez la version {newer.version}" in text(response)
    assert not CharterAcceptance.objects.exists()


@pytest.mark.parametrize("version", ["abc", "", "0", str(10**30), "999999"])
def test_a_forged_version_is_refused(client, qualified, qualified_admin, version):
    client.force_login(qualified_admin)
    response = client.post(url(qualified), {"version": version, "accept": "on"})
    assert response.status_code == 400
    assert "charte" in text(response)
    assert not CharterAcceptance.objects.exists()


def test_a_draft_cannot_be_accepted(qualified, qualified_admin):
    draft = CharterVersionFactory(published_at=None)
    with pytest.raises(DomainError, match="n'est plus en vigueur"):
        services.charter_accept(provider=qualified, version=draft, user=qualified_admin)


def test_a_new_version_must_be_accepted_again(client, qualified, qualified_admin):
    services.charter_accept(provider=qualified, version=selectors.current_charter(), user=qualified_admin)
    SubscriptionFactory(provider=qualified, started_on=selectors.today())
    assert selectors.is_labelled(qualified)
    new = CharterVersionFactory()
    assert not selectors.is_labelled(qualified)
    client.force_login(qualified_admin)
    page = text(client.get(url(qualified)))
    assert f"Une nouvelle version de la charte (version {new.version}) attend votre acceptation" in page
    assert "Une nouvelle version" in text(
        client.get(reverse("providers:dashboard", kwargs={"org_slug": qualified.organisation.slug}))
    )
    client.post(url(qualified), {"version": new.pk, "accept": "on"})
    assert selectors.is_labelled(qualified)
    assert qualified.charter_acceptances.count() == 2


def test_accepting_twice_is_refused(client, qualified, qualified_admin):
    charter = selectors.current_charter()
    services.charter_accept(provider=qualified, version=charter, user=qualified_admin)
    client.force_login(qualified_admin)
    response = client.post(url(qualified), {"version": charter.pk, "accept": "on"})
    assert response.status_code == 400 and "déjà accepté" in text(response)
    assert CharterAcceptance.objects.count() == 1


def test_a_member_reads_but_cannot_accept(client, qualified):
    from .factories import member_of

    member = member_of(qualified)
    client.force_login(member)
    assert "Un administrateur de votre structure peut accepter la charte." in text(client.get(url(qualified)))
    response = client.post(url(qualified), {"version": selectors.current_charter().pk, "accept": "on"})
    assert response.status_code == 403
    assert not CharterAcceptance.objects.exists()
    with pytest.raises(AccessDenied):
        services.charter_accept(provider=qualified, version=selectors.current_charter(), user=member)


def test_without_a_published_charter_the_page_says_so(client, qualified, qualified_admin):
    from aptic.providers.models import CharterVersion

    CharterVersion.objects.update(published_at=None)
    client.force_login(qualified_admin)
    assert "Aucune charte n'est publiée" in text(client.get(url(qualified)))
    response = client.post(url(qualified), {"version": "1", "accept": "on"})
    assert response.status_code == 400 and "Aucune charte n'est publiée" in text(response)


def test_no_one_accepts_a_charter_before_its_publication_which_stays_once_accepted(qualified, qualified_admin):
    """Found in review: the demo's providers had accepted, in 2025, a charter "publiée le" the day the
    database was made. A version is accepted after its publication; its date moves only while no one
    has accepted it."""
    charter = selectors.current_charter()
    opened = charter.published_at - datetime.timedelta(days=1)  # a day before its publication, whenever that was
    with pytest.raises(DomainError, match="pas encore publiée"):
        services.charter_accept(provider=qualified, version=charter, user=qualified_admin, at=opened)
    services.charter_version_publish(version=charter, at=opened - datetime.timedelta(days=1))
    services.charter_accept(provider=qualified, version=charter, user=qualified_admin, at=opened)
    with pytest.raises(DomainError, match="déjà été acceptée"):
        services.charter_version_publish(version=charter, at=opened - datetime.timedelta(days=30))
    charter.refresh_from_db()
    assert charter.published_at == opened - datetime.timedelta(days=1)
