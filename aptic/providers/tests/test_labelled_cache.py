"""The cached 'labelled' answer of the counter follows every change at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aptic.providers.models import CharterVersion
from aptic.providers.selectors import is_labelled, is_labelled_now
from aptic.vouchers.tests.conftest import make_labelled

pytestmark = pytest.mark.django_db


def test_cached_answer_follows_each_change(provider, provider_admin):
    labelled = make_labelled(provider, provider_admin)
    assert is_labelled_now(provider.pk) is True
    with CaptureQueriesContext(connection) as queries:
        assert is_labelled_now(provider.pk) is True
    assert len(queries) == 0  # served from the cache

    labelled.subscription.delete()
    assert is_labelled_now(provider.pk) is False == is_labelled(labelled)

    # A new charter version makes everybody unlabelled until they accept it.
    other = make_labelled(type(provider).objects.create(kind="provider", name="Autre", slug="autre"), provider_admin)
    assert is_labelled_now(other.pk) is True
    CharterVersion.objects.create(version=99, title="v99", body="…", published_at=timezone.now())
    assert is_labelled_now(other.pk) is False
