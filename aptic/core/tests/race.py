"""Races for the concurrency tests (ADR 0032): calls run on their own threads and connections, all
released at one instant, with no sleep and no guess about timing.

Each worker opens its connection, then meets the others at a barrier. On PostgreSQL the test's own
connection holds an advisory lock meanwhile, and the workers queue on it in the server; once every
one of them is seen waiting (pg_locks), the lock is released and the server lets them all go at
once. Every thread is joined with a deadline, and one still running fails the test."""

import threading
import time
from contextlib import suppress

from django.db import connection, connections

TIMEOUT = 120  # seconds a race may take, start to finish
START = 0x_A971C  # the advisory lock key of the start line (advisory locks are per database)


def _waiting_at_the_start() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = %s AND NOT l.granted"
            " AND d.datname = current_database()",
            [START],
        )
        return cursor.fetchone()[0]


def wait_until(condition, *, deadline: float, what: str) -> None:
    """Poll a condition (a state of the server, never a guess about time) until it holds."""
    while not condition():
        assert time.monotonic() < deadline, what
        threading.Event().wait(0.001)


def race(*calls, timeout: float = TIMEOUT) -> list:
    """Run the calls at once, each on its own thread and connection; for each, in order, what it
    returned or the exception it raised."""
    on_postgresql = connection.vendor == "postgresql"
    connected = threading.Barrier(len(calls) + 1, timeout=timeout)
    outcomes = [None] * len(calls)

    def work(index, call):
        try:
            try:
                connection.ensure_connection()  # this thread's own, opened before the start
            except Exception:
                connected.abort()  # the others need not wait for this one until the timeout
                raise
            connected.wait()
            if on_postgresql:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_lock_shared(%s)", [START])  # queued until the start
                    cursor.execute("SELECT pg_advisory_unlock_shared(%s)", [START])
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 (handed to the test, which asserts on it)
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    deadline = time.monotonic() + timeout
    if on_postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [START])
    try:
        for thread in threads:
            thread.start()
        with suppress(threading.BrokenBarrierError):  # a worker could not connect: its error is its outcome
            connected.wait()
        # A condition, not a delay: every worker is queued on the lock in the server (or has failed).
        if on_postgresql:
            wait_until(
                lambda: _waiting_at_the_start() + sum(not t.is_alive() for t in threads) >= len(calls),
                deadline=deadline,
                what="the workers never all reached the start line",
            )
    finally:
        if on_postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [START])
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    running = sum(thread.is_alive() for thread in threads)
    assert running == 0, f"{running} of {len(threads)} workers still running after {timeout} s"
    return outcomes
