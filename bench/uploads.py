"""Uploaded spreadsheets (issue #12, ADRs 0021 and 0033): each bomb of the review, and honest workbooks
at the row and cell limits (as our test helper writes them, and as Excel does, through openpyxl), read
by the function the mailing upload calls (read_address_file), each in a forked worker, so that its
peak RSS is its own: the time to refuse (or read) and the worker's peak RSS; also with the ZIP checks
switched off ("flux seul": what the streaming limits alone hold), and the reader alone without the
address checks of each row ("lecteur seul"). The honest workbooks are also read by openpyxl's
read-only mode, the baseline: the ratio says what our limits and checks cost.

Goal: any upload under 20 MB is refused or read within 5 s and 200 MB of memory.
"""

import multiprocessing
import os
import resource
import time

GOAL_SECONDS = 5
GOAL_MB = 200


def _excel_workbook(rows: int, columns: int) -> bytes:
    """Addresses as Excel writes them (openpyxl: shared strings, a dimension), `columns` of the six."""
    import io

    from openpyxl import Workbook

    header = ["nom", "adresse", "code_postal", "ville", "complement", "categorie"][:columns]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Adresses")
    sheet.append(header)
    for n in range(2, rows + 2):
        sheet.append([f"Personne {n}", f"{n} rue Longue", "33000", "Bordeaux", f"Bâtiment {n % 7}", ""][:columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _bombs():
    from aptic.core.tests import spreadsheets

    def honest():
        rows = [spreadsheets.cells_row(1, ["nom", "adresse", "code_postal", "ville"])]
        rows += [
            spreadsheets.cells_row(n, [f"Personne {n}", f"{n} rue Longue", "33000", "Bordeaux"])
            for n in range(2, 100_002)
        ]
        return spreadsheets.workbook(rows)

    return {
        "20 millions de lignes vides": spreadsheets.rows_bomb,
        "2 millions de cellules sur une ligne": spreadsheets.wide_row_bomb,
        "un texte partagé de 300 Mo": spreadsheets.shared_string_bomb,
        "billion laughs (sharedStrings)": spreadsheets.laughs_bomb,
        "20 millions de lignes déclarées": spreadsheets.declared_rows_bomb,
        "100 000 adresses (texte en ligne)": honest,
        # The same addresses as Excel saves them, and the largest file the cell budget accepts
        # (ADR 0033: 450,000 cells, header included).
        "100 000 adresses × 4 (Excel)": lambda: _excel_workbook(100_000, 4),
        "74 999 adresses × 6 (le plus grand)": lambda: _excel_workbook(74_999, 6),
        # Excel declares the sheet's rectangle (openpyxl's write-only mode does not): refused unread.
        "100 000 × 6 déclarées (refusé)": lambda: spreadsheets.workbook(
            [
                spreadsheets.cells_row(n, [f"Personne {n}", f"{n} rue Longue", "33000", "Bordeaux", "Bât. A", ""])
                for n in range(1, 100_002)
            ],
            dimension="A1:F100001",
        ),
    }


LEGIT = ("100 000 adresses (texte en ligne)", "100 000 adresses × 4 (Excel)", "74 999 adresses × 6 (le plus grand)")
# openpyxl cannot open our helper's workbook (its relations name a sharedStrings.xml it leaves out):
# the baseline reads the files Excel's way only.
WITH_BASELINE = LEGIT[1:]
BASELINE = "openpyxl"  # the library's own read-only reader, rows as values: what a reader without limits costs


def _measure(data: bytes, mode: str, queue) -> None:
    from aptic.core import tabular
    from aptic.distribution.addresses import AddressFileError, read_address_file

    if mode == "flux seul":
        tabular.MAX_RATIO = 10**12
        tabular.MAX_TOTAL_BYTES = tabular.MAX_SHARED_STRINGS_BYTES = tabular.MAX_SHEET_BYTES = 10**12
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        if mode == "lecteur seul":  # the rows read, without the address file's checks of each row
            outcome = f"lu : {sum(1 for _ in tabular.xlsx_rows(data))} lignes"
        elif mode == BASELINE:
            import io

            from openpyxl import load_workbook

            sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
            outcome = f"lu : {sum(1 for _ in sheet.iter_rows(values_only=True))} lignes"
        else:
            outcome = f"lu : {len(read_address_file('adresses.xlsx', data))} adresses"
    except AddressFileError as exc:
        outcome = "refusé : " + exc.errors[0][:70]
    except tabular.SpreadsheetError as exc:
        outcome = "refusé : " + exc.message[:70]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((elapsed, cpu, before, peak, outcome))


def run():
    context = multiprocessing.get_context("fork")
    print(f"  uploads: read_address_file in a forked worker; goal {GOAL_SECONDS} s, {GOAL_MB} MB peak RSS")
    # On a shared machine the wall clock measures the neighbours too: the worker's CPU time is shown
    # beside it, and the ratios are of CPU times.
    print(f"  load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name, build in _bombs().items():
        data = build()
        seconds = {}
        modes = ("contrôles ZIP", "flux seul", "lecteur seul")
        if name in LEGIT:  # an honest file passes the ZIP checks: "flux seul" would read it the same way
            modes = ("contrôles ZIP", "lecteur seul") + ((BASELINE,) if name in WITH_BASELINE else ())
        for mode in modes:
            queue = context.Queue()
            worker = context.Process(target=_measure, args=(data, mode, queue))
            worker.start()
            worker.join(120)
            if worker.is_alive():
                worker.kill()
                print(f"  {name[:36]:36} {len(data) / 1024:8.0f} KiB  over 120 s: killed")
                continue
            if worker.exitcode != 0:
                print(f"  {name[:36]:36} {len(data) / 1024:8.0f} KiB  {mode:13}  failed (exit {worker.exitcode})")
                continue
            elapsed, cpu, before, peak, outcome = queue.get()
            seconds[mode] = cpu
            ok = "ok" if elapsed <= GOAL_SECONDS and peak <= GOAL_MB else "OVER GOAL"
            print(
                f"  {name[:36]:36} {len(data) / 1024:8.0f} KiB  {mode:13}  {elapsed:6.2f} s (CPU {cpu:5.2f} s)  "
                f"peak RSS {peak:6.0f} MB (worker at start {before:4.0f})  {ok}  {outcome}"
            )
        if BASELINE in seconds:
            print(
                f"  {name[:36]:36} ratio (CPU) lecteur seul / {BASELINE} : "
                f"{seconds['lecteur seul'] / seconds[BASELINE]:.2f} ({seconds['lecteur seul']:.2f} s / "
                f"{seconds[BASELINE]:.2f} s); toute la lecture des adresses / {BASELINE} : "
                f"{seconds['contrôles ZIP'] / seconds[BASELINE]:.2f}"
            )
