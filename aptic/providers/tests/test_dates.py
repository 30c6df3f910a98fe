"""The provider's journey dated step by step (ADR 0037): each step never in the future, never
before the one it follows."""

import datetime

import pytest
from django.utils import timezone

from aptic.core.errors import DomainError
from aptic.core.tests.factories import OrganisationFactory, UserFactory
from aptic.providers import selectors, services
from aptic.providers.models import ProviderEvent

from .factories import admin_of, best_answers

pytestmark = pytest.mark.django_db
AGO = timezone.now() - datetime.timedelta(days=200)


def test_each_step_of_the_journey_is_dated_after_the_one_before(commune):
    services.charter_version_publish(version=selectors.current_charter(), at=AGO)  # the platform opened
    provider = services.provider_create(name="Fablab daté", siret="73282932000074", commune=commune, at=AGO)
    assert provider.requested_at == provider.organisation.created_at == AGO
    assert ProviderEvent.objects.get(provider=provider).created_at == AGO
    admin = admin_of(provider)
    answers = best_answers(selectors.active_questionnaire())
    with pytest.raises(DomainError, match="ne peut pas précéder la demande"):
        services.submission_create(provider=provider, answers=answers, user=admin, at=AGO - datetime.timedelta(days=1))
    sent = AGO + datetime.timedelta(days=3)
    submission = services.submission_create(provider=provider, answers=answers, user=admin, at=sent)
    assert submission.submitted_at == sent
    staff = UserFactory(is_staff=True)
    with pytest.raises(DomainError, match="ne peut pas précéder l'envoi"):
        services.submission_review(
            submission=submission, reviewer=staff, approve=True, reason="", at=sent - datetime.timedelta(hours=1)
        )
    decided = sent + datetime.timedelta(days=5)
    submission = services.submission_review(submission=submission, reviewer=staff, approve=True, reason="", at=decided)
    provider.refresh_from_db()
    assert submission.reviewed_at == provider.qualified_at == decided
    with pytest.raises(DomainError, match="futur"):
        services.charter_accept(
            provider=provider,
            version=selectors.current_charter(),
            user=admin,
            at=timezone.now() + datetime.timedelta(days=1),
        )
    signed = decided + datetime.timedelta(days=1)
    acceptance = services.charter_accept(provider=provider, version=selectors.current_charter(), user=admin, at=signed)
    assert acceptance.accepted_at == signed


def test_a_sponsorship_is_decided_on_its_day_never_in_the_future(commune):
    funder = OrganisationFactory(kind="funder", legal_category="ccas", commune=commune)
    user = UserFactory(is_staff=True)
    from .factories import ProviderFactory

    provider = ProviderFactory(organisation__commune=commune, status="qualified")
    today = timezone.localdate()
    with pytest.raises(DomainError, match="décidé dans le futur"):
        services.sponsorships_create(
            funder=funder, providers=[provider], starts_on=today, user=user, on=today + datetime.timedelta(days=1)
        )
    day = today - datetime.timedelta(days=90)
    with pytest.raises(DomainError, match="commencer dans le passé"):
        services.sponsorships_create(
            funder=funder, providers=[provider], starts_on=day - datetime.timedelta(days=1), user=user, on=day
        )
    (sponsorship,) = services.sponsorships_create(funder=funder, providers=[provider], starts_on=day, user=user, on=day)
    assert sponsorship.starts_on == day and timezone.localdate(sponsorship.created_at) == day
