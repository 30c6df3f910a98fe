"""The diagnostic's background job and its debounce (its uses: test_published_uses)."""

import datetime

import pytest
from django.utils import timezone

from aptic.diagnostic.models import Run
from aptic.diagnostic.services import COMPUTE_JOB, DEBOUNCE, diagnostic_watch
from aptic.jobs.models import Job
from aptic.jobs.registry import discover, handler_for
from aptic.jobs.schedule import PERIODIC
from aptic.reporting.tests.test_usage import spend, world  # noqa: F401 (the counter's world, a fixture)
from aptic.vouchers.tests.conftest import counter  # noqa: F401


@pytest.mark.django_db
def test_the_job_runs_nightly_and_once_places_are_still(vocabulary, django_capture_on_commit_callbacks):
    discover()
    assert handler_for(COMPUTE_JOB)
    assert any(p.kind == COMPUTE_JOB for p in PERIODIC)
    now = timezone.now()
    assert diagnostic_watch(now) == "waiting"  # never computed: the change is noted
    assert diagnostic_watch(now + DEBOUNCE / 2) == "waiting"
    with django_capture_on_commit_callbacks(execute=False):
        assert diagnostic_watch(now + DEBOUNCE + datetime.timedelta(seconds=1)) == "queued"
    assert Job.objects.filter(kind=COMPUTE_JOB).count() == 1
    assert diagnostic_watch(now + 2 * DEBOUNCE) == "running"  # queued: not twice
    Job.objects.all().delete()
    run = handler_for(COMPUTE_JOB)(None, lambda *args: None)
    assert Run.objects.get(pk=run["run_id"]).communes == 34875
    assert diagnostic_watch(now + 3 * DEBOUNCE) == "up to date"
