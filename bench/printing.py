"""Printing: print-ready pages with QR codes, beside a bare reportlab page of the same layout
without QR codes, in the same run; then a real order printed through the service (database
reads, files stored), and the memory held while printing.

Goals (issue #5): at least 100 pages per second per process (5 vouchers a page) with QR codes;
memory flat (peak RSS quoted) while printing 100,000 vouchers. Issue #15: the QR rate at least half
the bare rate, both measured in this run (ADR 0046).

The two render runs are timed in CPU seconds of this process (time.process_time: rendering is
single-threaded and in-process), so that the bare and QR rates stay comparable when other work
loads the machine between the two runs; the service run is timed on the wall clock (it waits for
the database).

Pages are counted two ways: voucher pages (5 vouchers each, the goal's unit) and all pages
(a cover per booklet of 10 adds one page per two voucher pages).
"""

import os
import resource
import tempfile
import time

from django.db import connection

COUNT = int(os.environ.get("BENCH_PRINT_COUNT", "100000"))
BARE_COUNT = int(os.environ.get("BENCH_PRINT_BARE_COUNT", "20000"))
DB_COUNT = int(os.environ.get("BENCH_PRINT_DB_COUNT", "10000"))
FILE_VOUCHERS = 5000


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spec():
    from aptic.printing.render import PrintSpec

    return PrintSpec(
        order_id=42,
        year=2026,
        funder_name="Département de la Gironde",
        face_value="10 €",
        valid_from="01/01/2026",
        valid_until="31/12/2026",
        booklet_size=10,
        url_prefix="https://aptic.fr/c/",
    )


def _print(count: int, with_qr: bool, rss: list | None = None) -> tuple[float, int, int]:
    """Print `count` synthetic vouchers in files of 5,000; (CPU seconds, pages, bytes)."""
    from aptic.printing.render import render
    from aptic.vouchers import codes

    spec = _spec()
    seconds = pages = size = 0
    for start in range(0, count, FILE_VOUCHERS):
        n = min(FILE_VOUCHERS, count - start)
        batch = codes.generate(n)  # made outside the timing: the database reads are measured below
        rows = ((start + i + 1, code) for i, code in enumerate(batch))
        with tempfile.TemporaryFile() as out:
            began = time.process_time()
            pages += render(out, spec, rows, with_qr=with_qr)
            seconds += time.process_time() - began
            size += out.tell()
        if rss is not None:
            rss.append(_rss_mb())
    return seconds, pages, size


def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _rates(label, seconds, pages, count, clock="s"):
    voucher_pages = count / 5
    print(
        f"  {label}: {_n(count)} vouchers, {_n(pages)} pages in {seconds:.1f} {clock} — "
        f"{_n(voucher_pages / seconds)} voucher pages/s, {_n(pages / seconds)} pages/s (covers included), "
        f"{_n(count / seconds)} vouchers/s"
    )
    return voucher_pages / seconds


def _through_the_service():
    import datetime

    from django.test import override_settings

    from aptic.core.tests.factories import OrganisationFactory, UserFactory
    from aptic.printing.services import order_print_release, print_files_generate
    from aptic.vouchers.issuance import order_create, order_issue

    funder = OrganisationFactory(kind="funder", name="Commanditaire du banc d'essai d'impression")
    staff = UserFactory(is_staff=True)
    order = order_issue(order=order_create(funder=funder, quantity=DB_COUNT, valid_from=datetime.date.today()))
    with override_settings(APTIC_JOBS_BACKEND="sync"):
        order_print_release(order=order, user=staff, reason="early", justification="banc d'essai")
    began = time.perf_counter()
    files = print_files_generate(order=order, force=True)
    seconds = time.perf_counter() - began
    pages = sum(f.pages for f in files)
    _rates(f"service on {connection.vendor} (reads, render, hash, store; {len(files)} files)", seconds, pages, DB_COUNT)
    began = time.perf_counter()
    again = print_files_generate(order=order, force=True)
    same = [f.sha256 for f in files] == [f.sha256 for f in again]
    print(f"  regenerated in {time.perf_counter() - began:.1f} s: same bytes = {same}")


def run():
    print(f"printing (files of {FILE_VOUCHERS} vouchers, booklets of 10, A4, 5 vouchers a page):")
    bare_seconds, bare_pages, _ = _print(BARE_COUNT, with_qr=False)
    bare = _rates("bare reportlab page, same layout, no QR", bare_seconds, bare_pages, BARE_COUNT, "CPU s")
    rss: list[float] = []
    start_rss = _rss_mb()
    seconds, pages, size = _print(COUNT, with_qr=True, rss=rss)
    with_qr = _rates("with QR codes (1-bit stencil masks, grids from segno)", seconds, pages, COUNT, "CPU s")
    print(f"  QR pages / bare pages: {with_qr / bare:.2f} (the QR codes cost {1 - with_qr / bare:.0%} of the rate)")
    print(f"  goal ≥ 100 voucher pages/s per process: {'met' if with_qr >= 100 else 'NOT MET'}")
    print(f"  goal QR rate ≥ 50 % of the bare rate (ADR 0046): {'met' if with_qr >= bare / 2 else 'NOT MET'}")
    load = os.getloadavg()[0]
    print(f"  output: {_n(size / COUNT)} bytes a voucher; load average {load:.1f} on {os.cpu_count()} CPUs")
    marks = sorted({0, len(rss) // 4, len(rss) // 2, 3 * len(rss) // 4, len(rss) - 1})
    shown = ", ".join(f"after file {i + 1}: {rss[i]:.0f} MB" for i in marks)
    print(f"  RSS before: {start_rss:.0f} MB; {shown}; peak RSS of the process {_peak_mb():.0f} MB")
    _through_the_service()
