"""From the bytes of an uploaded file to the rows of a table in the national standard.

Nothing here writes. Whatever is wrong with the file as a whole (too big, empty, not a CSV, missing
columns) raises a DomainError in French, on the field "file", before any row is looked at.

What is accepted, because it is what people's software writes:
- encodings: UTF-8 with or without BOM; else Windows-1252 (Excel and LibreOffice on a French
  Windows write "CSV" in it; it includes Latin-1's letters); UTF-16 with a BOM (Excel's
  "Texte Unicode");
- delimiters: comma (the standard), semicolon (French Excel) or tab; csv.Sniffer proposes one from
  the header line, and the delimiter that yields the most known column names wins, so that a
  header the sniffer misreads still works;
- column names in any case, with spaces or hyphens for underscores, with or without accents;
- blank lines (ignored) and blank trailing columns.

Row numbers are those a spreadsheet shows: the header is line 1, the first place line 2.
"""

import codecs
import contextlib
import csv
import re
from dataclasses import dataclass, field

from aptic.core import formats, tabular
from aptic.core.errors import DomainError

from . import standard

MAX_BYTES = 10 * 1024 * 1024  # 10 Mo: far above a network's file (10,000 places ≈ 5 Mo)
MAX_ROWS = 10_000  # the whole of France today; beyond, split the file
MAX_COLUMNS = 200  # the standard has 32
SNIFF_CHARS = 65_536
# The csv module refuses cells over a process-wide limit (131,072 characters unless a library raised
# it). Raised here to the size of a whole file, so that a long cell is always read and reported on
# its row (services.MAX_CELL), whatever else was imported before.
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES))
FILE = "file"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPREADSHEET_HINT = (
    "Ouvrez-le dans votre tableur et enregistrez-le au format CSV (Fichier > Enregistrer sous > "
    "« CSV UTF-8 » ou « CSV (séparateur : point-virgule) »), puis importez ce fichier CSV."
)
_SIGNATURES = [
    (
        b"%PDF",
        "Ce fichier est un PDF. L'import attend un fichier CSV au standard national des lieux de médiation "
        "numérique (une ligne d'en-tête, puis une ligne par lieu).",
    ),
    (
        b"PK\x03\x04",
        "Ce fichier est un classeur (Excel .xlsx, LibreOffice .ods) ou une archive ZIP, pas un fichier "
        "CSV. " + _SPREADSHEET_HINT,
    ),
    (b"\xd0\xcf\x11\xe0", "Ce fichier est un classeur Excel (.xls), pas un fichier CSV. " + _SPREADSHEET_HINT),
    (b"\x89PNG", "Ce fichier est une image, pas un fichier CSV."),
    (b"\xff\xd8\xff", "Ce fichier est une image, pas un fichier CSV."),
    (b"GIF8", "Ce fichier est une image, pas un fichier CSV."),
]
NOT_TEXT = (
    "Ce fichier n'est pas un fichier texte CSV lisible. L'import attend un fichier CSV au standard national des "
    "lieux de médiation numérique, encodé en UTF-8 (ou au format CSV de votre tableur)."
)


@dataclass
class Row:
    line: int
    values: dict[str, str]
    # Cells beyond the header that hold something: a stray delimiter or quote, most likely.
    extra_cells: int = 0


@dataclass
class Table:
    encoding: str
    delimiter: str
    columns: list[str]  # the standard's columns found in the header, in the file's order
    rows: list[Row]
    warnings: list[str] = field(default_factory=list)


def thousands(number: int) -> str:
    return formats.number(number)


def size_error(size: int, max_bytes: int = MAX_BYTES) -> DomainError:
    megabytes = f"{size / (1024 * 1024):.1f}".replace(".", ",")
    return DomainError(
        f"Le fichier pèse {megabytes} Mo : la limite est de {max_bytes // (1024 * 1024)} Mo. "
        "Découpez-le en plusieurs fichiers, par exemple un par département.",
        field=FILE,
    )


def check_size(size: int, max_bytes: int = MAX_BYTES) -> None:
    if size > max_bytes:
        raise size_error(size, max_bytes)


def _refuse_binary(data: bytes) -> None:
    for signature, message in _SIGNATURES:
        if data.startswith(signature):
            raise DomainError(message, field=FILE)
    if b"\x00" in data[:65536]:
        raise DomainError(NOT_TEXT, field=FILE)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name shown to the user)."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), "UTF-16"
            except UnicodeDecodeError:
                raise DomainError(NOT_TEXT, field=FILE) from None
    _refuse_binary(data)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            raise DomainError(
                "Le fichier annonce l'encodage UTF-8 mais contient des caractères qui n'en sont pas : "
                "enregistrez-le de nouveau au format « CSV UTF-8 ».",
                field=FILE,
            ) from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        raise DomainError(NOT_TEXT, field=FILE) from None


def _known(cells: list[str]) -> int:
    known = set(standard.columns())
    return sum(1 for cell in cells if standard.normalise_label(cell) in known)


def detect_delimiter(header_line: str) -> str:
    header_line = header_line[:SNIFF_CHARS]  # a header is a few hundred characters; never sniff megabytes
    candidates = []
    with contextlib.suppress(csv.Error):
        candidates.append(csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter)
    candidates += [",", ";", "\t"]
    scores = {}
    for delimiter in candidates:
        try:
            scores[delimiter] = _known(next(csv.reader([header_line], delimiter=delimiter), []))
        except csv.Error:
            scores[delimiter] = 0
    return max(candidates, key=lambda delimiter: scores[delimiter])  # ties: the sniffer's choice, else ","


def _check_header(header: list[str]) -> tuple[dict[int, str], list[str]]:
    """index → column of the standard; and the warnings about the other columns."""
    if len(header) > MAX_COLUMNS:
        raise DomainError(
            f"La ligne d'en-tête compte {thousands(len(header))} colonnes : le standard en a "
            f"{len(standard.columns())}. Vérifiez qu'il s'agit bien d'un fichier CSV au standard.",
            field=FILE,
        )
    known = standard.columns()
    found: dict[str, int] = {}
    unknown = []
    for index, label in enumerate(header):
        name = standard.normalise_label(label)
        if not name:
            continue  # a blank trailing column, as spreadsheets add
        if name not in known:
            unknown.append(label.strip())
            continue
        if name in found:
            raise DomainError(f"La colonne « {name} » apparaît deux fois dans la ligne d'en-tête.", field=FILE)
        found[name] = index
    missing = [name for name in standard.required_columns() if name not in found]
    if missing and not found:
        raise DomainError(
            "La première ligne du fichier doit donner les noms des colonnes du standard national des lieux de "
            f"médiation numérique ({', '.join(standard.required_columns())}…) : aucune n'a été reconnue. "
            "Vérifiez qu'il s'agit bien d'un fichier CSV au standard.",
            field=FILE,
        )
    if missing:
        raise DomainError(
            f"Colonne{'s' if len(missing) > 1 else ''} obligatoire{'s' if len(missing) > 1 else ''} absente"
            f"{'s' if len(missing) > 1 else ''} de la ligne d'en-tête : {', '.join(missing)}. "
            f"Le fichier doit suivre le standard national des lieux de médiation numérique ({standard.SCHEMA_URL}).",
            field=FILE,
        )
    warnings = []
    if unknown:
        shown = ", ".join(f"« {label[:40]} »" for label in unknown[:10]) + (" …" if len(unknown) > 10 else "")
        warnings.append(f"Colonnes inconnues du standard, ignorées : {shown}.")
    return {index: name for name, index in found.items()}, warnings


def check_text(data: bytes, *, max_bytes: int = MAX_BYTES) -> tuple[str, str, str]:
    """(text, encoding name, text without its leading BOM and blank lines) of a file that can be a
    CSV table, or a DomainError saying in French why not: what an upload can be refused for at once,
    before its rows are read."""
    check_size(len(data), max_bytes)
    if not data.strip(b" \t\r\n" + codecs.BOM_UTF8):
        raise DomainError("Le fichier est vide.", field=FILE)
    text, encoding = decode(data)
    if _CONTROL.search(text):
        raise DomainError(NOT_TEXT, field=FILE)
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        raise DomainError(
            "Ce fichier est au format JSON. L'import attend un fichier CSV au standard national des lieux de "
            "médiation numérique (une ligne d'en-tête, puis une ligne par lieu).",
            field=FILE,
        )
    if not stripped.strip():
        raise DomainError("Le fichier est vide.", field=FILE)
    return text, encoding, stripped


def read_table(data: bytes, *, max_rows: int | None = None, max_bytes: int = MAX_BYTES) -> Table:
    """The rows of the file, or a DomainError saying in French what is wrong with the file.
    `max_bytes`: raised for the reference places (opendata.reference), whose files are bigger."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    text, encoding, stripped = check_text(data, max_bytes=max_bytes)
    header_line = stripped.splitlines()[0]
    delimiter = detect_delimiter(header_line)

    # The one reader of uploaded tables (aptic.core.tabular), with this import's own column and cell
    # limits: the header's width gets its own message (_check_header), extra cells are reported on
    # their row, and so are long cells (services.MAX_CELL).
    reader = tabular.csv_rows(
        text.lstrip("\ufeff"),
        delimiter=delimiter,
        max_columns=None,
        max_cell_chars=MAX_BYTES,
        strict=True,
    )
    rows: list[Row] = []
    columns: dict[int, str] | None = None
    warnings: list[str] = []
    line = 0
    try:
        for line, cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns, warnings = _check_header(cells)
                width = len(cells)
                continue
            if len(rows) >= max_rows:
                raise DomainError(
                    f"Le fichier compte plus de {thousands(max_rows)} lieux : découpez-le en plusieurs fichiers, "
                    "par exemple un par département."
                    + (
                        f" L'équipe technique peut aussi en importer jusqu'à {thousands(MAX_ROWS)} d'un coup avec la "
                        "commande import_places."
                        if max_rows < MAX_ROWS
                        else ""
                    ),
                    field=FILE,
                )
            values = {name: cells[index].strip() if index < len(cells) else "" for index, name in columns.items()}
            extra = sum(1 for cell in cells[width:] if cell.strip())
            rows.append(Row(line=line, values=values, extra_cells=extra))
    except csv.Error:
        raise DomainError(
            f"Le fichier CSV est mal formé vers la ligne {line + 1} : un guillemet n'est pas refermé, ou une "
            "valeur est démesurée.",
            field=FILE,
        ) from None
    if columns is None:
        raise DomainError("Le fichier est vide.", field=FILE)
    if not rows:
        raise DomainError("Le fichier ne contient aucun lieu : seulement la ligne d'en-tête.", field=FILE)
    return Table(
        encoding=encoding,
        delimiter=delimiter,
        columns=[columns[index] for index in sorted(columns)],
        rows=rows,
        warnings=warnings,
    )
