"""Uses on the diagnostic: per 1,000 inhabitants, blanked under the publication threshold on the
public page; the funder's own uses laid over its territory's page; the background job and its
debounce."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aptic.core.disclosure import MIN_PUBLISHED_VOUCHERS
from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.core.tests.helpers import text
from aptic.diagnostic.models import Run
from aptic.diagnostic.selectors import diagnostic, territory
from aptic.diagnostic.services import COMPUTE_JOB, DEBOUNCE, diagnostic_compute, diagnostic_watch
from aptic.jobs.models import Job
from aptic.jobs.registry import discover, handler_for
from aptic.jobs.schedule import PERIODIC
from aptic.reporting.tests.test_usage import spend, world  # noqa: F401 (the counter's world, a fixture)
from aptic.vouchers.tests.conftest import counter  # noqa: F401


def saint_etienne_line(funder_id=None, *, category):
    return next(
        line
        for line in diagnostic(territory("commune", "42218"), category, funder_id=funder_id).lines
        if line.category == category
    )


@pytest.mark.django_db
def test_uses_are_published_from_the_threshold_and_the_funder_sees_its_own(client, world):  # noqa: F811
    funder = world["order"].funder
    funder.commune_id = "42218"  # Saint-Étienne: its territory is the Loire
    funder.save(update_fields=["commune"])
    category = world["category"]
    diagnostic_compute()
    for sequences in ((1, 2, 3), (4, 5, 6), (7, 8, 9)):
        spend(world, *sequences)
    blanked = saint_etienne_line(category=category)
    assert blanked.uses[0].count is None and blanked.uses[0].rate is None  # 9 vouchers: not published
    assert saint_etienne_line(funder.pk, category=category).funder_uses == 9  # the funder's own
    spend(world, 11, 12, 13)
    line = saint_etienne_line(category=category)
    assert line.uses[0].count == 12 >= MIN_PUBLISHED_VOUCHERS
    population = world["commune"].population
    assert line.uses[0].rate == pytest.approx(12 * 1000 / population)
    public = text(client.get(reverse("diagnostic:commune", kwargs={"code": "42218"})))
    assert "Vos chèques utilisés" not in public
    member = MembershipFactory(organisation=funder, role="member").user
    client.force_login(member)
    page = text(client.get(reverse("diagnostic:funder", kwargs={"org_slug": funder.slug})))
    assert "<h1>Diagnostic territorial : Loire (42)</h1>" in page
    row = page[page.index(f'<th scope="row">{category.label}</th>', page.index('id="usages"')) :].split("</tr>")[0]
    assert '<td class="num">12</td>' in row  # the funder's 12 vouchers beside the public rates
    # Another funder's space is closed to this member.
    other = OrganisationFactory(kind="funder", commune_id="42218")
    assert client.get(reverse("diagnostic:funder", kwargs={"org_slug": other.slug})).status_code == 403


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
