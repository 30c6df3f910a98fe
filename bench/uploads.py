"""Uploaded spreadsheets (issue #12, ADR 0021): each bomb of the review, and an honest workbook at the
row limit, read by the function the mailing upload calls (read_address_file), each in a forked
worker, so that its peak RSS is its own: the time to refuse (or read) and the worker's peak RSS;
also with the ZIP checks switched off ("flux seul": what the streaming limits alone hold), and the
reader alone without the address checks of each row ("lecteur seul").

Goal: any upload under 20 MB is refused or read within 5 s and 200 MB of memory.
"""

import multiprocessing
import resource
import time

GOAL_SECONDS = 5
GOAL_MB = 200


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
        "100 000 adresses (honnête)": honest,
    }


def _measure(data: bytes, mode: str, queue) -> None:
    from aptic.core import tabular
    from aptic.distribution.addresses import AddressFileError, read_address_file

    if mode == "flux seul":
        tabular.MAX_RATIO = 10**12
        tabular.MAX_TOTAL_BYTES = tabular.MAX_SHARED_STRINGS_BYTES = tabular.MAX_SHEET_BYTES = 10**12
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    try:
        if mode == "lecteur seul":  # the rows read, without the address file's checks of each row
            outcome = f"lu : {sum(1 for _ in tabular.xlsx_rows(data))} lignes"
        else:
            outcome = f"lu : {len(read_address_file('adresses.xlsx', data))} adresses"
    except AddressFileError as exc:
        outcome = "refusé : " + exc.errors[0][:70]
    except tabular.SpreadsheetError as exc:
        outcome = "refusé : " + exc.message[:70]
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((elapsed, before, peak, outcome))


def run():
    context = multiprocessing.get_context("fork")
    print(f"  uploads: read_address_file in a forked worker; goal {GOAL_SECONDS} s, {GOAL_MB} MB peak RSS")
    for name, build in _bombs().items():
        data = build()
        for mode in ("contrôles ZIP", "flux seul", "lecteur seul"):
            queue = context.Queue()
            worker = context.Process(target=_measure, args=(data, mode, queue))
            worker.start()
            worker.join(120)
            if worker.is_alive():
                worker.kill()
                print(f"  {name[:36]:36} {len(data) / 1024:8.0f} KiB  over 120 s: killed")
                continue
            elapsed, before, peak, outcome = queue.get()
            ok = "ok" if elapsed <= GOAL_SECONDS and peak <= GOAL_MB else "OVER GOAL"
            print(
                f"  {name[:36]:36} {len(data) / 1024:8.0f} KiB  {mode:13}  {elapsed:6.2f} s  "
                f"peak RSS {peak:6.0f} MB (worker at start {before:4.0f})  {ok}  {outcome}"
            )
