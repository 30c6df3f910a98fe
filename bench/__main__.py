"""`make bench`: run every benchmark (or those named on the command line) and print their figures.

Benchmarks run on a database of their own, created for the run and dropped after: on the
PostgreSQL server of DATABASE_URL when it names one, else in a throw-away SQLite file. They never
touch var/ or the database DATABASE_URL names. BENCH_KEEP_DATABASE=<name> runs on that PostgreSQL
database instead, created if missing and kept (the `dashboards` bench builds its history in one run
and measures it in another: BENCH_DASHBOARD_PHASE).
"""

import atexit
import importlib
import os
import sys
import tempfile
import time

BENCHMARKS = [
    "territories", "places", "vouchers", "api", "printing", "payouts", "uploads", "dashboards", "exports",
    "reference_places", "diagnostic",
]  # fmt: skip


def _fresh_postgres_database(url: str) -> str:
    import psycopg

    server, _, _ = url.rpartition("/")
    name = f"aptic_bench_{os.getpid()}"

    def admin(sql):
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if sql.startswith("SELECT") else None

    kept = os.environ.get("BENCH_KEEP_DATABASE", "")
    if kept:
        # A database kept across runs (a full-scale history built once, measured later): created
        # if missing, never dropped.
        if not kept.isidentifier():
            raise SystemExit(f"BENCH_KEEP_DATABASE: {kept!r} is not a database name")
        if not admin(f"SELECT 1 FROM pg_database WHERE datname = '{kept}'"):  # noqa: S608
            admin(f"CREATE DATABASE {kept}")
        return f"{server}/{kept}"
    admin(f"CREATE DATABASE {name}")

    def drop():
        from django.db import connections

        connections.close_all()
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    atexit.register(drop)
    return f"{server}/{name}"


def setup_django():
    os.environ.setdefault("APTIC_ENV", "embedded")
    # Measure what production runs: no query logging (DEBUG wraps every cursor to record its SQL).
    os.environ.setdefault("DJANGO_DEBUG", "0")
    workdir = tempfile.mkdtemp(prefix="aptic-bench-")
    os.environ["APTIC_VAR_DIR"] = workdir
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = _fresh_postgres_database(url)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aptic.settings")
    # With REDIS_URL (production's cache), entries of this run's database under their own prefix.
    os.environ["APTIC_CACHE_PREFIX"] = os.path.basename(os.environ["DATABASE_URL"])
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main(argv):
    setup_django()
    from django.db import connection

    names = argv or BENCHMARKS
    print(f"#APTIC benchmarks on {connection.vendor} ({connection.settings_dict['NAME']})")
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        module.run()
        print(f"  ({name}: {time.perf_counter() - started:.1f} s in all)")


if __name__ == "__main__":
    main(sys.argv[1:])
