"""`make run` starts the embedded scheduler from AppConfig.ready(): its first query waits until every
app is ready (a query during app initialisation is what Django warned about at start-up, #12)."""

import threading

from django.apps import apps

from aptic.jobs import schedule, services


def test_the_scheduler_queries_nothing_before_the_apps_are_ready(monkeypatch):
    seen = []
    called = threading.Event()

    def record():
        seen.append(apps.ready)
        called.set()

    monkeypatch.setattr(services, "jobs_resume", record)
    monkeypatch.setattr(schedule, "schedule_tick", lambda: None)
    monkeypatch.setattr(schedule, "frequent_tick", lambda: None)
    monkeypatch.setattr(apps, "ready", False)
    stop = threading.Event()
    thread = threading.Thread(target=schedule._scheduler_loop, args=(stop,), daemon=True)
    thread.start()
    try:
        assert not called.wait(0.5)  # still starting: nothing asked of the database
        monkeypatch.setattr(apps, "ready", True)
        assert called.wait(5)
        assert seen == [True]
    finally:
        stop.set()
        thread.join(5)
