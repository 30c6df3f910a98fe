"""A job's progress, as a fragment the pages poll with htmx until it finishes."""

from django.shortcuts import get_object_or_404, render

from aptic.accounts.permissions import organisation_required, staff_required

from .models import Job


def _progress(request, job):
    return render(request, "jobs/_progress.html", {"job": job, "poll_url": request.get_full_path()})


@organisation_required
def organisation_job(request, pk):
    return _progress(request, get_object_or_404(Job, pk=pk, organisation=request.organisation))


@staff_required
def staff_job(request, pk):
    return _progress(request, get_object_or_404(Job, pk=pk))
