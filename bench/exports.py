"""Row-level export of uses on PostgreSQL (issue #14's benchmarks, ADR 0042): the largest funder's
uses as CSV through the platform's writer (uses_rows → tabular.csv_chunks) beside PostgreSQL's own
`COPY (the same query) TO STDOUT` in the same run, and the same rows as XLSX (openpyxl write-only),
with the peak memory of each (the process's RSS sampled every 20 ms).

Goals: the CSV at ≥ 50 % of COPY's rows per second with flat memory; the XLSX of 1 million rows
under 300 MB of peak RSS. BENCH_EXPORT_ROWS sets the rows (1 million by default), BENCH_EXPORT_XLSX=0
leaves the workbook out; the history is bench/dashboards.py's (the first funder holds half the
uses, one voucher each)."""

import os
import tempfile
import threading
import time

from django.db import connection

from .printing import _rss_mb

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "1000000"))
XLSX = os.environ.get("BENCH_EXPORT_XLSX", "1") != "0"  # 0: the CSV and COPY only (the XLSX takes minutes)


class Peak:
    """The highest RSS seen while the block runs, sampled by a thread."""

    def __enter__(self):
        self.start = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _copy(queryset) -> tuple[int, int]:
    """COPY of the export's own query, read to the end: (bytes, lines)."""
    sql, params = queryset.query.sql_with_params()
    statement = f"COPY ({connection.ops.compose_sql(sql, params)}) TO STDOUT WITH (FORMAT csv, DELIMITER ';', HEADER)"
    size = lines = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            size += len(block)
            lines += bytes(block).count(b"\n")
    return size, lines


def run():
    if connection.vendor != "postgresql":
        print("exports: skipped, this goal is about PostgreSQL (DATABASE_URL=postgresql://…)")
        return
    from aptic.core import tabular
    from aptic.reporting.exports.uses import HEADER, WIDTHS, uses_queryset, uses_rows

    from . import dashboards

    dashboards.USES = 2 * ROWS  # the first funder holds half
    funder, _, _, _, built = dashboards._world()
    filters = {"funder_id": funder.pk}
    print(f"exports, the largest funder's {ROWS:,} uses (one voucher each), row-level")
    print(f"  history built (issuance COPY, INSERT … SELECT)        {built:8.1f} s")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = time.perf_counter()
    copied, copy_lines = _copy(uses_queryset(filters))
    copy_seconds = time.perf_counter() - started
    copy_rate = (copy_lines - 1) / copy_seconds
    print(f"  COPY (the same query) TO STDOUT                       {copy_seconds:8.1f} s   "
          f"{copy_rate:10,.0f} rows/s   {copied / 2**20:7.1f} MB")  # fmt: skip

    with Peak() as memory:
        started = time.perf_counter()
        size = lines = 0
        for chunk in tabular.csv_chunks(HEADER, uses_rows(filters), dialect=tabular.FRENCH_EXCEL):
            size += len(chunk)
            lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
    assert lines == copy_lines, f"the CSV has {lines} lines, COPY {copy_lines}"
    rate = (lines - 1) / seconds
    print(f"  CSV through uses_rows and csv_chunks                  {seconds:8.1f} s   "
          f"{rate:10,.0f} rows/s   {size / 2**20:7.1f} MB")  # fmt: skip
    print(f"    {rate / copy_rate:.0%} of COPY's rate (goal ≥ 50 %); RSS {memory.start:.0f} MB before, "
          f"peak {memory.peak:.0f} MB (+{memory.peak - memory.start:.0f} MB)")  # fmt: skip

    if not XLSX:
        return
    with Peak() as memory, tempfile.TemporaryFile() as handle:
        started = time.perf_counter()
        tabular.xlsx_write(handle, [tabular.Sheet("Utilisations", HEADER, uses_rows(filters), WIDTHS)])
        seconds = time.perf_counter() - started
        size = handle.tell()
    print(f"  XLSX through uses_rows and xlsx_write (write-only)    {seconds:8.1f} s   "
          f"{(lines - 1) / seconds:10,.0f} rows/s   {size / 2**20:7.1f} MB")  # fmt: skip
    print(f"    peak RSS {memory.peak:.0f} MB (goal < 300 MB), +{memory.peak - memory.start:.0f} MB over the "
          f"{memory.start:.0f} MB before")  # fmt: skip
