"""The Celery application of production (ADR 0013): `celery -A aptic worker --beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aptic.settings")

app = Celery("aptic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["aptic.jobs"])
app.conf.beat_schedule = {
    "aptic-jobs-tick": {"task": "aptic.jobs.tasks.tick", "schedule": 300.0},
    "aptic-jobs-frequent": {"task": "aptic.jobs.tasks.frequent", "schedule": 30.0},
}
