"""The redemption API over real HTTP, on PostgreSQL: gunicorn on 127.0.0.1, 8 client threads with
keep-alive connections (stdlib http.client) calling POST /api/v1/redemptions with an API key.

- Clients 0–3 each spend vouchers of their own, one per request, with an Idempotency-Key; every
  20th request is sent twice (a till retrying after a timeout), which must answer 200, replayed.
- Clients 4–7 race: they send the SAME code at the same instant (a barrier before each request);
  exactly one may win, the three others must be told "Ce chèque a déjà été utilisé."

Bounded: BENCH_API_REQUESTS per client (default 500, so 4,000 requests), and BENCH_API_SECONDS
(default 60) at most. Figures: requests, throughput, latency p50/p95/p99 (goal p99 < 50 ms), and
double spends — vouchers with more than one live redemption line, vouchers whose status or
redemption disagrees with their lines, codes that got a success twice — which must all be 0.
Only loopback traffic; the server is stopped at the end, whatever happens.
"""

import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

CLIENTS = 8
RACERS = 4  # the last RACERS clients race on the same codes
PER_CLIENT = int(os.environ.get("BENCH_API_REQUESTS", "500"))
SECONDS = float(os.environ.get("BENCH_API_SECONDS", "60"))
WORKERS = int(os.environ.get("BENCH_API_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_API_THREADS", "2"))
RETRY_EVERY = 20
ALONE = 200  # requests of the single-client baseline, and service calls of the raw one
URL = "/api/v1/redemptions"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "APTIC_ENV": "embedded",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "aptic.settings",
    }
    command = [
        sys.executable, "-m", "gunicorn", "aptic.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS),
        "--worker-class", "gthread",  # keep-alive needs threaded workers (sync ones close each connection)
        "--threads", str(THREADS),
        "--keep-alive", "30",
    ]  # fmt: skip
    with log.open("ab") as output:  # the server's own log, shown only if it fails to start
        return subprocess.Popen(  # noqa: S603
            command, cwd=settings.BASE_DIR, env=env, stdout=output, stderr=output, start_new_session=True
        )


def _stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (code {server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def _world(quantity: int):
    from aptic.accounts.services import api_token_create
    from aptic.vouchers.issuance import order_create, order_issue
    from aptic.vouchers.models import Voucher

    from .vouchers import _world as voucher_world

    funder, provider, user, place, offer = voucher_world()  # a labelled provider, a 10 € offer
    _, key = api_token_create(organisation=provider, name="Caisse du banc d'essai", created_by=user)
    quantity += -quantity % 10
    order = order_issue(order=order_create(funder=funder, quantity=quantity, valid_from=timezone.localdate()))
    codes = list(Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True))
    return key, provider, user, place, offer, codes


class Till(threading.Thread):
    """One till: a keep-alive connection, its plan of (code, idempotency key) requests."""

    def __init__(self, number, port, headers, body, plan, deadline, barrier=None):
        super().__init__(name=f"client-{number}")
        self.port, self.headers, self.body, self.plan = port, headers, body, plan
        self.deadline, self.barrier = deadline, barrier
        self.results = []  # (code, key, status, latency seconds, parsed body)
        self.reconnects = 0

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def _send(self, code, key):
        headers = dict(self.headers)
        if key:
            headers["Idempotency-Key"] = key
        payload = json.dumps({**self.body, "codes": [code]}).encode()
        for attempt in range(2):
            started = time.perf_counter()
            try:
                self.conn.request("POST", URL, payload, headers)
                response = self.conn.getresponse()
                data = response.read()
                latency = time.perf_counter() - started
                replayed = response.getheader("Idempotent-Replayed") == "true"
                return response.status, latency, json.loads(data), replayed
            except (http.client.HTTPException, OSError):
                # The server closed a kept-alive connection: reconnect once, as a till would.
                self.conn.close()
                self._connect()
                self.reconnects += 1
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def run(self):
        self._connect()
        try:
            for code, key in self.plan:
                if time.monotonic() > self.deadline:
                    break
                if self.barrier is not None:
                    try:
                        self.barrier.wait(timeout=10)
                    except threading.BrokenBarrierError:
                        break
                status, latency, body, replayed = self._send(code, key)
                self.results.append((code, key, status, latency, body, replayed))
        finally:
            if self.barrier is not None:
                self.barrier.abort()  # let the other racers stop too
            self.conn.close()


def _plans(codes):
    """Own codes for the first clients (with a retry every RETRY_EVERY requests), shared ones for racers."""
    own = CLIENTS - RACERS
    plans = []
    for number in range(own):
        mine = codes[number * PER_CLIENT : (number + 1) * PER_CLIENT]
        plan = []
        for i, code in enumerate(mine):
            key = f"banc-{number}-{i}"
            plan.append((code, key))
            if len(plan) < PER_CLIENT and i % RETRY_EVERY == RETRY_EVERY - 1:
                plan.append((code, key))  # the same request again
        plans.append(plan[:PER_CLIENT])
    shared = codes[own * PER_CLIENT : (own + 1) * PER_CLIENT]
    plans += [[(code, "") for code in shared] for _ in range(RACERS)]
    return plans


def _database_double_spends(provider_id) -> dict:
    """Counted in the database, whatever the responses said."""
    from aptic.vouchers.models import Redemption, RedemptionLine, Voucher

    line = connection.ops.quote_name(RedemptionLine._meta.db_table)
    voucher = connection.ops.quote_name(Voucher._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT voucher_id FROM {line} WHERE NOT is_cancelled "  # noqa: S608
            "GROUP BY voucher_id HAVING count(*) > 1) AS twice"
        )
        twice = cursor.fetchone()[0]
        # Spent vouchers must point at the redemption of their one live line, and others at none.
        cursor.execute(
            f"SELECT count(*) FROM {voucher} v LEFT JOIN {line} l "  # noqa: S608
            "ON l.voucher_id = v.id AND NOT l.is_cancelled "
            "WHERE (v.status IN ('redeemed', 'reimbursed') AND (l.id IS NULL OR l.redemption_id <> v.redemption_id)) "
            "OR (v.status NOT IN ('redeemed', 'reimbursed') AND (l.id IS NOT NULL OR v.redemption_id IS NOT NULL))"
        )
        mismatched = cursor.fetchone()[0]
    return {
        "twice": twice,
        "mismatched": mismatched,
        "redemptions": Redemption.objects.filter(provider_id=provider_id).count(),
        # This provider's only: the other benchmarks of the run share the database.
        "redeemed": Voucher.objects.filter(status="redeemed", redemption__provider_id=provider_id).count(),
    }


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def _baselines(port, headers, body, provider, user, place, offer, http_codes, service_codes) -> tuple:
    """One client alone, over HTTP; then the same redemptions through the service, in process."""
    from aptic.vouchers.redemption import redemption_create

    till = Till("alone", port, headers, body, [(code, "") for code in http_codes], deadline=time.monotonic() + SECONDS)
    till.run()  # in this thread
    assert all(r[2] == 201 for r in till.results), Counter(r[2] for r in till.results)
    service = []
    for code in service_codes:
        started = time.perf_counter()
        redemption_create(provider=provider, place=place, offer=offer, codes=[code], user=user)
        service.append(time.perf_counter() - started)
    connection.close()
    return [r[3] for r in till.results], service


def run():
    if connection.vendor != "postgresql":
        print("api: skipped, this benchmark is about PostgreSQL under concurrent HTTP (DATABASE_URL=postgresql://…)")
        return
    concurrent = PER_CLIENT * (CLIENTS - RACERS + 1)
    key, provider, user, place, offer, codes = _world(concurrent + 2 * ALONE)
    http_codes, service_codes = (
        codes[concurrent : concurrent + ALONE],
        codes[concurrent + ALONE : concurrent + 2 * ALONE],
    )
    connection.close()  # the server's workers do the work from now on
    port = _free_port()
    log = Path(tempfile.mkdtemp(prefix="aptic-bench-api-")) / "gunicorn.log"
    server = _start_server(port, log)
    try:
        _wait_until_up(port, server, log)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        body = {"place_id": place.pk, "offer_id": offer.pk}
        # Warm-up: every worker thread loads the application and opens its database connection.
        for _ in range(WORKERS * THREADS * 2):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", URL + "?page_size=1", headers=headers)
            conn.getresponse().read()
            conn.close()
        alone, service = _baselines(port, headers, body, provider, user, place, offer, http_codes, service_codes)
        deadline = time.monotonic() + SECONDS
        barrier = threading.Barrier(RACERS)
        clients = [
            Till(n, port, headers, body, plan, deadline, barrier if n >= CLIENTS - RACERS else None)
            for n, plan in enumerate(_plans(codes[:concurrent]))
        ]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - started
    finally:
        _stop_server(server)

    results = [r for client in clients for r in client.results]
    latencies = [r[3] for r in results]
    statuses = Counter(r[2] for r in results)
    wins = Counter(r[0] for r in results if r[2] == 201)
    claimed_twice = sum(1 for n in wins.values() if n > 1)
    first_id = {r[1]: r[4]["id"] for r in results if r[2] == 201 and r[1]}
    replays = [r for r in results if r[2] == 200]
    bad_replays = sum(1 for r in replays if not r[5] or r[4]["id"] != first_id.get(r[1]))
    racers = [r for client in clients[CLIENTS - RACERS :] for r in client.results]
    raced_codes = {r[0] for r in racers}
    race_wins = sum(1 for code in raced_codes if wins[code] == 1)
    race_refusals = [r for r in racers if r[2] == 422]
    wrong_refusals = sum(1 for r in race_refusals if "déjà été utilisé" not in json.dumps(r[4], ensure_ascii=False))
    unexpected = {s: n for s, n in statuses.items() if s not in (200, 201, 422)}
    db = _database_double_spends(place.provider_id)
    call_command("check_ledger", stdout=io.StringIO())  # raises on any breach
    successes = sum(wins.values()) + len(alone) + len(service)

    def figures(values):
        return " ".join(
            f"{name} {_percentile(values, q):6.1f}" for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        )

    print(
        f"redemption API over HTTP: gunicorn {WORKERS} workers × {THREADS} threads on 127.0.0.1, {os.cpu_count()} CPUs"
    )
    print(f"  alone, 1 client, ms    {figures(alone)}   ({len(alone)} requests over one keep-alive connection)")
    print(f"  raw service, ms        {figures(service)}   (redemption_create in process, no HTTP)")
    print(
        f"  {CLIENTS} clients at once     {len(results):5d} requests in {elapsed:.1f} s"
        f"  {len(results) / elapsed:6.0f} /s"
    )
    print(f"  answers                {dict(sorted(statuses.items()))}  reconnects {sum(c.reconnects for c in clients)}")
    print(f"  latency ms             {figures(latencies)}   max {max(latencies) * 1000:6.1f}   (goal p99 < 50)")
    ok = [r[3] for r in results if r[2] == 201]
    if ok:
        print(f"  latency ms, 201 only   {figures(ok)}")
    print(
        f"  races                  {len(raced_codes)} codes × {RACERS} clients: {race_wins} won once, "
        f"{len(race_refusals)} refused ({wrong_refusals} with another reason)"
    )
    print(f"  retries (same key)     {len(replays)} answered 200 replayed ({bad_replays} wrong)")
    print(
        f"  double spends          {db['twice']} vouchers with 2+ live lines, {db['mismatched']} status mismatches, "
        f"{claimed_twice} codes claimed spent twice   (must be 0)"
    )
    print(
        f"  consistency            {successes} successes = {db['redemptions']} redemptions = "
        f"{db['redeemed']} vouchers redeemed; check_ledger clean; other statuses {unexpected or 'none'}"
    )
    failures = db["twice"] + db["mismatched"] + claimed_twice + bad_replays + wrong_refusals + len(unexpected)
    if failures or not (successes == db["redemptions"] == db["redeemed"]):
        raise SystemExit("api: INVARIANT BROKEN (see above)")
