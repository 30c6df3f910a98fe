"""Shared test setup across apps: a labelled provider, and the reference data loaded once a package."""

import datetime
from contextlib import contextmanager

from django.utils import timezone

from aptic.core.models import ReferenceDataset
from aptic.core.tests.factories import UserFactory
from aptic.core.tests.helpers import empty_territories
from aptic.providers.models import CharterAcceptance, CharterVersion, Provider, Subscription
from aptic.territories.services import territories_load
from aptic.vocabulary import models as vocabulary
from aptic.vocabulary.services import DATASET as VOCABULARY
from aptic.vocabulary.services import vocabulary_load


def label(organisation, accepted_by=None) -> Provider:
    """Make the provider of this organisation labelled today, directly with the models: qualified,
    current charter accepted, subscription in its free month (never through another app's screens)."""
    now = timezone.now()
    today = timezone.localdate()
    provider, _ = Provider.objects.get_or_create(organisation=organisation)
    provider.status = "qualified"
    provider.qualified_at = now
    provider.save()
    charter = CharterVersion.objects.filter(published_at__lte=now).order_by("-version").first()
    if charter is None:
        charter = CharterVersion.objects.create(
            version=1, title="Charte #APTIC", body="Texte de la charte.", published_at=now - datetime.timedelta(days=1)
        )
    CharterAcceptance.objects.get_or_create(
        provider=provider, version=charter, defaults={"accepted_by": accepted_by or UserFactory()}
    )
    Subscription.objects.get_or_create(
        provider=provider,
        defaults={
            "plan": "monthly",
            "payment_method": "transfer",
            "price_cents": 700,
            "started_on": today,
            "trial_until": today + datetime.timedelta(days=30),
        },
    )
    return provider


@contextmanager
def reference_data(django_db_blocker):
    """Territories and vocabulary committed outside any test transaction for a package's tests, and
    removed afterwards if this package loaded them (each test still runs in its own transaction)."""
    with django_db_blocker.unblock():
        territories_loaded = territories_load().loaded
        vocabulary_loaded = vocabulary_load() is not None
    yield
    with django_db_blocker.unblock():
        if vocabulary_loaded:
            for model in (vocabulary.ServiceCategory, vocabulary.PlaceTypology, vocabulary.Public,
                          vocabulary.AccessMode, vocabulary.SupportMode):  # fmt: skip
                model.objects.all().delete()
            ReferenceDataset.objects.filter(name=VOCABULARY).delete()
        if territories_loaded:
            empty_territories()
