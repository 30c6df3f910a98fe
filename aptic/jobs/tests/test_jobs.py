import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from aptic.core.errors import DomainError
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.jobs import registry, runner
from aptic.jobs.execution import MAX_ATTEMPTS, job_run
from aptic.jobs.models import Job, JobStatus
from aptic.jobs.schedule import PERIODIC, Periodic, periodic, schedule_tick
from aptic.jobs.services import job_enqueue, job_retry

PARIS = ZoneInfo("Europe/Paris")
calls = []
handled = threading.Event()  # set by the counting handler, so tests need not poll a row another thread writes


@registry.handler("test.count")
def _count(job, progress):
    total = job.params["n"]
    for done in range(1, total + 1):
        progress(done, total)
    calls.append(job.pk)
    handled.set()
    return {"counted": total}


@registry.handler("test.refuse")
def _refuse(job, progress):
    raise DomainError("Le fichier d'adresses est vide.")


@registry.handler("test.crash")
def _crash(job, progress):
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _clear_calls():
    calls.clear()
    handled.clear()


def test_a_job_runs_once_its_transaction_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind="test.count", params={"n": 3})
        assert calls == []  # not before the commit
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total, job.percent) == (JobStatus.DONE, 3, 3, 100)
    assert job.result == {"counted": 3} and job.finished_at and job.attempts == 1


def test_an_unknown_kind_is_refused_in_the_caller(db):
    with pytest.raises(LookupError):
        job_enqueue(kind="test.nothing")
    assert not Job.objects.exists()


def test_a_domain_error_fails_the_job_with_its_french_message(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind="test.refuse")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.message == "Le fichier d'adresses est vide."


def test_an_unexpected_error_fails_the_job_and_is_raised_for_the_logs(db):
    job = Job.objects.create(kind="test.crash")
    with pytest.raises(RuntimeError):
        job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "erreur inattendue" in job.message


def test_a_job_found_running_is_run_again_until_its_attempts_are_spent(db):
    job = Job.objects.create(kind="test.count", params={"n": 1}, status=JobStatus.RUNNING, attempts=1)
    assert job_run(job_id=job.pk).status == JobStatus.DONE
    assert job_run(job_id=job.pk) is None  # done: never run twice
    worn = Job.objects.create(kind="test.count", params={"n": 1}, status=JobStatus.RUNNING, attempts=MAX_ATTEMPTS)
    assert job_run(job_id=worn.pk) is None
    worn.refresh_from_db()
    assert worn.status == JobStatus.FAILED and calls == [job.pk]


def test_staff_retry_only_a_failed_job(db, django_capture_on_commit_callbacks):
    done = Job.objects.create(kind="test.count", params={"n": 1}, status=JobStatus.DONE)
    with pytest.raises(DomainError):
        job_retry(job=done)
    failed = Job.objects.create(kind="test.count", params={"n": 2}, status=JobStatus.FAILED, attempts=MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=failed)
    failed.refresh_from_db()
    assert failed.status == JobStatus.DONE


@pytest.mark.parametrize(
    ("now", "entry", "expected"),
    [
        (datetime.datetime(2026, 11, 26, 3, 0), Periodic("x", hour=2), datetime.datetime(2026, 11, 26, 2, 0)),
        (datetime.datetime(2026, 11, 26, 1, 0), Periodic("x", hour=2), datetime.datetime(2026, 11, 25, 2, 0)),
        (datetime.datetime(2026, 11, 26, 1, 0), Periodic("x", 6, 1), datetime.datetime(2026, 11, 1, 6, 0)),
        (datetime.datetime(2026, 3, 1, 5, 0), Periodic("x", 6, 1), datetime.datetime(2026, 2, 1, 6, 0)),
        (datetime.datetime(2026, 1, 1, 5, 0), Periodic("x", 6, 1), datetime.datetime(2025, 12, 1, 6, 0)),
    ],
)
def test_period_start(now, entry, expected):
    assert entry.period_start(now.replace(tzinfo=PARIS)) == expected.replace(tzinfo=PARIS)


def test_the_tick_enqueues_each_periodic_kind_once_per_period(db, django_capture_on_commit_callbacks):
    periodic("test.count", hour=2)
    try:
        now = datetime.datetime(2026, 11, 26, 3, 0, tzinfo=PARIS)
        with django_capture_on_commit_callbacks(execute=False):
            first = schedule_tick(now)
            again = schedule_tick(now + datetime.timedelta(hours=5))
        assert [job.kind for job in first if job.kind == "test.count"] == ["test.count"]
        assert all(job.kind != "test.count" for job in again)
    finally:
        PERIODIC[:] = [p for p in PERIODIC if p.kind != "test.count"]


def test_the_daily_expiry_is_scheduled():
    registry.discover()
    assert "vouchers.expire" in {p.kind for p in PERIODIC}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_embedded_mode_runs_jobs_in_a_thread_of_the_process(settings):
    settings.APTIC_JOBS_BACKEND = "thread"
    job = job_enqueue(kind="test.count", params={"n": 5})
    assert handled.wait(20), "the embedded worker did not run the job"
    runner._thread_pool().submit(lambda: None).result(timeout=20)  # one worker: the job is finished
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"counted": 5}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_production_mode_runs_jobs_on_a_celery_worker_through_redis(settings):
    """A real Redis broker and a real worker (in a thread of the test). The test reads the job only
    once the worker has stopped: SQLite's shared in-memory test database locks whole tables."""
    from celery.contrib.testing.worker import start_worker

    from aptic.celery import app

    settings.APTIC_JOBS_BACKEND = "celery"
    app.conf.update(broker_url="redis://127.0.0.1:6379/15", result_backend=None, task_always_eager=False)
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
        job = job_enqueue(kind="test.count", params={"n": 2})
        assert handled.wait(20), "the Celery worker did not run the job"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result == {"counted": 2}
    assert runner.backend() == "celery"


def test_progress_fragment_is_shown_to_the_organisation_and_staff_only(client, db):
    mine, other = OrganisationFactory(kind="funder"), OrganisationFactory(kind="funder")
    member = MembershipFactory(organisation=mine).user
    job = Job.objects.create(kind="test.count", organisation=mine, progress_done=2, progress_total=8)

    def fragment(organisation):
        return client.get(reverse("jobs:organisation_job", kwargs={"org_slug": organisation.slug, "pk": job.pk}))

    client.force_login(member)
    page = fragment(mine)
    assert page.status_code == 200 and "2 / 8" in page.content.decode()
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert fragment(other).status_code == 403
    client.force_login(MembershipFactory(organisation=other).user)
    assert fragment(other).status_code == 404
    assert client.get(reverse("jobs:staff_job", kwargs={"pk": job.pk})).status_code == 403


def test_a_finished_job_reads_its_status_once(client, db, django_capture_on_commit_callbacks):
    mine = OrganisationFactory(kind="funder")
    client.force_login(MembershipFactory(organisation=mine).user)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_enqueue(kind="test.count", params={"n": 3}, organisation=mine)
    page = client.get(reverse("jobs:organisation_job", kwargs={"org_slug": mine.slug, "pk": job.pk}))
    html = " ".join(page.content.decode().split())
    assert "<strong>Terminé</strong> : 3 / 3 </p>" in html  # not "Terminé — Terminé."
