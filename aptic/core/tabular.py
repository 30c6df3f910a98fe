"""Tables in and out: the one writer of every CSV and XLSX the platform produces, and the one reader
of every spreadsheet or CSV uploaded to it (ADR 0021).

Writing. A spreadsheet evaluates a text cell that starts with "=", "+", "-" or "@" (and, in some,
a tab or carriage return) as a formula: a place named `=cmd|' /C calc'!A0` runs a command on the
computer of whoever opens the export. In a CSV, every text cell that starts with one of these
characters is written with a single quote in front (OWASP's "CSV injection" advice): `'=cmd|…`. In an
XLSX, every text is a string-typed cell (never a formula), and those cells carry the `quotePrefix`
style, Excel's own mark of "text typed with a leading '": shown as typed, never run. Numbers given as
numbers (int, Decimal, float) are never touched, so a negative amount stays a number; a text that is
nothing but a plain number (a phone "+33180059880", "-2") is not a formula either, and is kept as it
is. Cells are formatted by the dialect: French Excel (";", decimal comma, UTF-8 with a BOM) or the
RFC 4180 one of open data (",", decimal point, no BOM).

Reading. An .xlsx is a ZIP of XML: 172 KiB can declare 20 million rows, or one 300 MB string. Before
any XML is parsed, the ZIP's directory is checked (number of members, uncompressed sizes, compression
ratio, methods), then the first sheet is read as a stream (lxml iterparse, entities never resolved, any
DOCTYPE refused), stopping at the first row, column or cell-length limit. Every refusal is a
`SpreadsheetError` in French. CSV uploads go through `csv_rows`, with the same limits.
"""

import csv
import datetime
import functools
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from lxml import etree

from .errors import DomainError
from .params import parse_int

# --- Writing ------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
# A text a spreadsheet reads as a number, not as a formula: an optional sign, digits, one decimal mark.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?", re.ASCII)

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def amount(cents: int) -> Decimal:
    """1250 → Decimal('12.50'): euros with two decimals, written '12,50' in a French CSV and as a
    money-formatted number in a workbook."""
    return Decimal(int(cents)).scaleb(-2)


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def neutralise(text: str) -> str:
    """The text as a CSV must carry it for a spreadsheet to show it, never run it."""
    return NEUTRALISER + text if looks_like_formula(text) else text


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    bom: bool
    decimal_comma: bool
    date_format: str
    datetime_format: str


# What Excel and LibreOffice open right on a French computer.
FRENCH_EXCEL = Dialect(";", bom=True, decimal_comma=True, date_format="%d/%m/%Y", datetime_format="%d/%m/%Y %H:%M")
# Open data (RFC 4180, the national standard's own format).
RFC4180 = Dialect(",", bom=False, decimal_comma=False, date_format="%Y-%m-%d", datetime_format="%Y-%m-%dT%H:%M:%S")


@functools.lru_cache(maxsize=4096)
def _day_text(day: datetime.date, date_format: str) -> str:
    return day.strftime(date_format)  # a million rows hold a few hundred days: each formatted once


def cell_text(value, dialect: Dialect) -> str:
    """One cell of a CSV: None is empty, numbers and dates are formatted, text is neutralised."""
    kind = type(value)
    if kind is str:  # the most common cells first: a row-level export writes millions (ADR 0042)
        return NEUTRALISER + value if looks_like_formula(value) else value
    if kind is int:
        return repr(value)
    if kind is datetime.date:
        return _day_text(value, dialect.date_format)
    if value is None:
        return ""
    if isinstance(value, Formatted):
        return cell_text(value.value, dialect)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (int, Decimal, float)):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if dialect.decimal_comma else text
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime(dialect.datetime_format)
    if isinstance(value, datetime.date):
        return value.strftime(dialect.date_format)
    return neutralise(str(value))


class _Echo:
    """A file-like object whose write() hands the line back to the csv writer's caller."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence], *, dialect: Dialect, rows_per_chunk: int = 200
) -> Iterator[bytes]:
    """The CSV as pieces of bytes, for a StreamingHttpResponse (the header is text too)."""
    writer = csv.writer(_Echo(), delimiter=dialect.delimiter, lineterminator="\r\n")
    first = writer.writerow([cell_text(name, dialect) for name in header])
    yield (("\ufeff" if dialect.bom else "") + first).encode()
    buffer = []
    for row in rows:
        buffer.append(writer.writerow([cell_text(value, dialect) for value in row]))
        if len(buffer) >= rows_per_chunk:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence], *, dialect: Dialect) -> bytes:
    return b"".join(csv_chunks(header, rows, dialect=dialect))


MONEY_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"  # digit grouping: French Excel shows 230 000
MONTH_FORMAT = "mmmm yyyy"  # a month as a date (its first day): "janvier 2026" in French Excel
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


@dataclass(frozen=True)
class Formatted:
    """A number or date with the spreadsheet's number format of its own ("0.0 %" for a rate): the
    value stays typed in an XLSX; a CSV writes the value alone."""

    value: object
    number_format: str


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, Formatted):
        cell = _xlsx_cell(sheet, value.value)
        cell.number_format = value.number_format
        return cell
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT if value.as_tuple().exponent == -2 else "General"
    elif value is None or isinstance(value, (bool, int, float)):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
        cell = WriteOnlyCell(sheet, value=None)
        cell.value = text
        cell.data_type = "s"  # text, always: openpyxl would write "=…" as a formula
        if looks_like_formula(text):
            # Shown as typed, with no visible "'", and kept as text when edited (Excel's own way).
            cell.quotePrefix = True
    return cell


def _xlsx_value(sheet, value):
    """What a row hands openpyxl: a plain number, or a text that cannot be read as a formula, goes
    as it is (openpyxl types it itself, at half the cost of a cell of ours: ADR 0042's bench);
    anything else as the cell _xlsx_cell makes."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    kind = type(value)
    if kind is int or kind is float or value is None:
        return value
    if kind is str and not value.startswith(("=", *FORMULA_STARTS)) and not ILLEGAL_CHARACTERS_RE.search(value):
        return value
    return _xlsx_cell(sheet, value)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title (31 characters at most, Excel's limit), header, rows."""

    title: str
    header: Sequence
    rows: Iterable[Sequence]
    widths: Sequence[int] = ()


# Characters a sheet's title may not hold (Excel refuses the workbook otherwise), and its length.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
SHEET_TITLE_MAX = 31


def _cut(text: str, limit: int) -> str:
    """The text within `limit` characters, cut at a word boundary (mid-word only for one long word),
    without the punctuation or apostrophes left dangling at its edges (Excel refuses a title that
    starts or ends with an apostrophe)."""
    if len(text) > limit:
        head = text[: limit + 1]
        text = head.rsplit(" ", 1)[0] if " " in head.strip() else text[:limit]
        text = text[:limit]
        if text.count("(") > text.count(")"):  # a parenthesis cut open: left out whole
            text = text[: text.rindex("(")]
    return text.strip(" '’,;-–—(").strip()


def _sheet_title(title: str, taken: set) -> str:
    """A sheet's title as Excel accepts it: no forbidden character (":" reads as a dash), spaces
    collapsed, within 31 characters cut at a word, unique whatever its case (" (2)" after a cut)."""
    clean = _SHEET_TITLE_FORBIDDEN.sub(lambda m: " - " if m.group() == ":" else " ", title)
    clean = " ".join(clean.split())
    base = _cut(clean, SHEET_TITLE_MAX) or "Feuille"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = _cut(clean, SHEET_TITLE_MAX - len(suffix)) + suffix
    taken.add(name.lower())
    return name


def xlsx_write(target, sheets: Iterable[Sheet]) -> None:
    """A workbook written as a stream (openpyxl's write-only mode) to `target` (a path or a binary
    file): per sheet, a bold frozen header, then typed cells (numbers, dates, money with two
    decimals as Decimal, `Formatted` values, text as text, quote-prefixed where it looks like a
    formula). Memory stays flat whatever the number of rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    taken: set[str] = set()
    for item in sheets:
        sheet = book.create_sheet(title=_sheet_title(item.title, taken))
        for index, width in enumerate(item.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        head = []
        for name in item.header:
            cell = _xlsx_cell(sheet, name)
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        for row in item.rows:
            sheet.append([_xlsx_value(sheet, value) for value in row])
    book.save(target)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], *, title: str, widths: Sequence[int] = ()) -> bytes:
    """A one-sheet workbook (see xlsx_write)."""
    buffer = io.BytesIO()
    xlsx_write(buffer, [Sheet(title, header, rows, widths)])
    return buffer.getvalue()


# --- Reading ------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what the goal of ADR 0021 covers: any file below is read or refused fast
MAX_ROWS = 100_000  # rows of a sheet or records of a CSV under the header line (callers may lower it)
MAX_COLUMNS = 50  # columns that hold a value
# Cells of a sheet, empty ones included, header included: what parsing costs (ADR 0033). 100,000
# addresses of four columns fit; a sheet declaring more is refused before it is read.
MAX_CELLS = 450_000
MAX_CELLS_PER_ROW = 16_384  # cell elements in one row, empty ones included (Excel's own maximum)
MAX_CELL_CHARS = 32_767  # Excel's own limit of a cell's text
MAX_MEMBERS = 1_000  # files inside the ZIP (a workbook has about ten)
MAX_SHARED_STRINGS_BYTES = 20 * 1024 * 1024  # sharedStrings.xml, uncompressed
MAX_SHEET_BYTES = 100 * 1024 * 1024  # the sheet read, uncompressed
MAX_SMALL_PART_BYTES = 1024 * 1024  # workbook.xml, its relations
MAX_TOTAL_BYTES = 150 * 1024 * 1024  # every member, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

SPREADSHEET_HINT = "Enregistrez les données utiles dans un nouveau classeur, ou au format CSV, puis importez-le."
NOT_XLSX = "Ce fichier n'est pas un classeur Excel lisible (.xlsx attendu)."


class SpreadsheetError(DomainError):
    """`code` says which limit, for a caller that words it its own way ("rows": too many rows)."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message, code=code, field="file")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def _too_many_rows(limit: int) -> SpreadsheetError:
    return SpreadsheetError(
        f"Le fichier compte plus de {_thousands(limit)} lignes sous la ligne d'en-tête : découpez-le en "
        "plusieurs fichiers. (Des lignes vides mais mises en forme comptent aussi : supprimez-les.)",
        code="rows",
    )


def _too_many_columns(limit: int = MAX_COLUMNS) -> SpreadsheetError:
    return SpreadsheetError(
        f"Le fichier compte plus de {_thousands(limit)} colonnes remplies ou de "
        f"{_thousands(MAX_CELLS_PER_ROW)} cellules sur une ligne. " + SPREADSHEET_HINT
    )


def _too_many_cells(limit: int) -> SpreadsheetError:
    return SpreadsheetError(
        f"Le fichier compte plus de {_thousands(limit)} cellules (lignes × colonnes, en-tête compris) : "
        "découpez-le en plusieurs fichiers, ou supprimez les colonnes inutiles.",
        code="cells",
    )


def _cell_too_long(row: int, limit: int = MAX_CELL_CHARS) -> SpreadsheetError:
    return SpreadsheetError(
        f"Ligne {row} : une cellule dépasse {_thousands(limit)} caractères, la limite d'un tableur."
    )


def _too_big(what: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"Ce classeur est anormalement volumineux une fois décompressé ({what}) : il n'a pas été lu. "
        + SPREADSHEET_HINT
    )


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _check_archive(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise _too_big(f"{_thousands(len(members))} fichiers dans l'archive")
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise SpreadsheetError("Ce classeur est protégé par un mot de passe : enregistrez-le sans mot de passe.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SpreadsheetError(NOT_XLSX)
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _too_big(f"« {info.filename[:60]} » compressé {info.file_size // max(info.compress_size, 1)} fois")
    if total > MAX_TOTAL_BYTES:
        raise _too_big(f"{total // (1024 * 1024)} Mo")
    return {info.filename: info for info in members}


class _Bounded(io.RawIOBase):
    """A member of the ZIP read at most `limit` bytes, whatever its header says."""

    def __init__(self, stream, limit: int, name: str):
        self._stream, self._left, self._name = stream, limit, name

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._stream.read(min(len(buffer), self._left + 1))
        self._left -= len(data)
        if self._left < 0:
            raise _too_big(f"« {self._name} »")
        buffer[: len(data)] = data
        return len(data)


def _parse(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, *, tags=None):
    """("end", element) for the elements of one XML member as they end (only `tags`, local names, if given), streamed: a
    DOCTYPE (the door to entity bombs) is refused, entities are never resolved, nothing is fetched
    from the network, no text node may exceed lxml's 10 MB (huge_tree off)."""
    if info.file_size > limit:
        raise _too_big(f"« {info.filename[:60]} », {info.file_size // (1024 * 1024)} Mo")
    with archive.open(info) as member:
        _refuse_doctype_text(member.read(PROLOG_BYTES))
    stream = io.BufferedReader(_Bounded(archive.open(info), limit, info.filename), 64 * 1024)
    events = etree.iterparse(
        stream,
        events=("end",),
        tag=[f"{{*}}{tag}" for tag in tags] if tags else None,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for pair in events:
            _refuse_doctype(pair[1])
            yield pair
            break
        yield from events  # the rest straight from lxml: a sheet makes half a million of them
    except etree.XMLSyntaxError as exc:
        if events.root is not None:
            _refuse_doctype(events.root)  # an entity bomb may break the parser before any element ends
        raise SpreadsheetError(NOT_XLSX) from exc
    finally:
        stream.close()


PROLOG_BYTES = 64 * 1024
DOCTYPE_REFUSED = (
    "Ce classeur contient une déclaration XML (DOCTYPE) qu'un tableur n'écrit jamais : il n'a pas été lu. "
    + SPREADSHEET_HINT
)


def _refuse_doctype_text(prolog: bytes) -> None:
    """Before the parser sees it: a DOCTYPE in the first bytes (UTF-8, or UTF-16 with its BOM)."""
    encoding = "utf-16" if prolog[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    if "<!doctype" in prolog.decode(encoding, errors="ignore").lower():
        raise SpreadsheetError(DOCTYPE_REFUSED)


def _refuse_doctype(element) -> None:
    """While parsing, whatever the encoding: the parsed document's own DOCTYPE."""
    if element.getroottree().docinfo.doctype:
        raise SpreadsheetError(DOCTYPE_REFUSED)


_LOCAL_NAMES: dict[str, str] = {}


def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rsplit("}", 1)[-1]
    return name


def _small_tree(archive, info) -> list:
    elements = []
    for _, element in _parse(archive, info, MAX_SMALL_PART_BYTES):
        elements.append((_local(element.tag), dict(element.attrib)))
    return elements


def _first_sheet(archive: zipfile.ZipFile, members: dict) -> zipfile.ZipInfo:
    workbook = members.get("xl/workbook.xml")
    relations = members.get("xl/_rels/workbook.xml.rels")
    if workbook is None or relations is None:
        raise SpreadsheetError(NOT_XLSX)
    sheets = [attrs for name, attrs in _small_tree(archive, workbook) if name == "sheet"]
    targets = {attrs.get("Id"): attrs.get("Target", "") for name, attrs in _small_tree(archive, relations)}
    if not sheets:
        raise SpreadsheetError(NOT_XLSX)
    rel = next((v for k, v in sheets[0].items() if k.endswith("}id")), None)
    target = targets.get(rel, "")
    path = target.lstrip("/") if target.startswith("/") else "xl/" + target
    if path not in members:
        raise SpreadsheetError(NOT_XLSX)
    return members[path]


def _shared_strings(archive, members) -> list[str]:
    info = members.get("xl/sharedStrings.xml")
    if info is None:
        return []
    strings: list[str] = []
    parts: list[str] = []
    length = 0
    limit = MAX_ROWS * MAX_COLUMNS
    for _, element in _parse(archive, info, MAX_SHARED_STRINGS_BYTES, tags=("t", "si")):
        name = _local(element.tag)
        if name == "t" and not _inside_rph(element):
            text = element.text or ""
            length += len(text)
            if length > MAX_CELL_CHARS:
                raise SpreadsheetError(
                    f"Un texte du classeur dépasse {_thousands(MAX_CELL_CHARS)} caractères, la limite d'un tableur."
                )
            parts.append(text)
        elif name == "si":
            strings.append("".join(parts))
            parts, length = [], 0
            element.clear()
            if len(strings) > limit:
                raise _too_big(f"plus de {_thousands(limit)} textes")
    return strings


def _inside_rph(element) -> bool:
    parent = element.getparent()
    return parent is not None and _local(parent.tag) == "rPh"  # phonetic guides: not the cell's text


_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})", re.ASCII)
_DIMENSION = re.compile(r"([A-Z]{1,3})?([0-9]{1,12})?(?::([A-Z]{1,3})([0-9]{1,12}))?", re.ASCII)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


def _check_dimension(ref: str, max_rows: int, max_cells: int) -> None:
    match = _DIMENSION.fullmatch(ref.upper())
    if not match:
        return  # an odd declaration: the streaming limits still hold
    last_column, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
    if last_row and int(last_row) > max_rows + 1:
        raise _too_many_rows(max_rows)
    if last_column and _column_index(last_column) > MAX_CELLS_PER_ROW:
        raise _too_many_columns()
    if match.group(3) and match.group(4):  # a range: its rectangle is what the sheet holds
        rows = int(match.group(4)) - int(match.group(2) or 1) + 1
        columns = _column_index(match.group(3)) - _column_index(match.group(1) or "A") + 1
        if rows * columns > max_cells:
            raise _too_many_cells(max_cells)


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def xlsx_rows(data: bytes, *, max_rows: int = MAX_ROWS, max_cells: int = MAX_CELLS) -> Iterator[tuple[int, list]]:
    """(row number, cells) of the first sheet of an .xlsx, blank rows left out; cells are str, int,
    float or bool (dates come as the spreadsheet's serial numbers), "" where empty. Every limit of
    this module is checked before or while reading; a SpreadsheetError says which in French."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SpreadsheetError(NOT_XLSX) from exc
    with archive:
        members = _check_archive(archive)
        try:
            sheet = _first_sheet(archive, members)
            strings = _shared_strings(archive, members)
            yield from _sheet_rows(archive, sheet, strings, max_rows, max_cells)
        except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError, IndexError) as exc:
            # A member that does not inflate to what its header says, a shared string that does not exist.
            raise SpreadsheetError(NOT_XLSX) from exc


_DIGITS = "0123456789"
_COLUMNS_BY_LETTERS: dict[str, int] = {}


def _ref_column(ref: str, fallback: int) -> int:
    """The column of a cell reference ("AB12" → 28), or `fallback` when it is missing or odd."""
    letters = ref.rstrip(_DIGITS)
    column = _COLUMNS_BY_LETTERS.get(letters)
    if column is None:
        match = _CELL_REF.fullmatch(ref)
        if not match:
            return fallback
        column = _COLUMNS_BY_LETTERS[letters] = _column_index(match.group(1))
    return column


def _sheet_rows(archive, sheet, strings, max_rows, max_cells):
    """The rows of the sheet. Tight on purpose (ADR 0033): one pass of a 100,000-row sheet makes
    half a million iterations, so each cell costs a few dictionary look-ups, no regular expression."""
    rows_seen = row_number = cell_count = cells_seen = 0
    next_column = 1
    cells: dict[int, object] = {}
    v_tag = is_tag = t_tag = None  # the sheet's own qualified names of <v>, <is>, <t>, known from the first cell
    for _, element in _parse(archive, sheet, MAX_SHEET_BYTES, tags=("dimension", "row", "c")):
        name = _LOCAL_NAMES.get(element.tag) or _local(element.tag)
        if name == "c":
            cell_count += 1
            if cell_count > MAX_CELLS_PER_ROW:
                raise _too_many_columns()
            cells_seen += 1
            if cells_seen > max_cells:  # a sheet without a dimension, or one that lies
                raise _too_many_cells(max_cells)
            ref = element.get("r")
            column = _ref_column(ref, next_column) if ref else next_column
            next_column = column + 1
            cell_type = element.get("t")
            if v_tag is None:
                namespace = element.tag[: element.tag.find("}") + 1]
                v_tag, is_tag, t_tag = namespace + "v", namespace + "is", namespace + "t"
            value = None
            for child in element:  # children by hand: find() goes through Python's ElementPath
                tag = child.tag
                if tag == v_tag:
                    value = child.text
                elif tag == is_tag:
                    value = child[0].text if len(child) == 1 and child[0].tag == t_tag else _inline_text(child)
            if value:
                if len(value) > MAX_CELL_CHARS:
                    raise _cell_too_long(row_number + 1)
                if column > MAX_COLUMNS:
                    raise _too_many_columns()
                if cell_type == "s":
                    cells[column] = strings[int(value)]
                elif cell_type is None or cell_type == "n":
                    cells[column] = _number(value)
                elif cell_type == "b":
                    cells[column] = value == "1"
                else:
                    cells[column] = value
            element.clear()  # its children; the row's clearing drops the cell itself
        elif name == "row":
            rows_seen += 1
            number = element.get("r")
            row_number = (parse_int(number, minimum=1) if number else None) or row_number + 1
            if rows_seen > max_rows + 1 or row_number > max_rows + 1:  # the header, then max_rows
                raise _too_many_rows(max_rows)
            if cells:
                yield row_number, [cells.get(i, "") for i in range(1, max(cells) + 1)]
                cells = {}
            cell_count, next_column = 0, 1
            _drop(element)
        elif name == "dimension":
            _check_dimension(element.get("ref", ""), max_rows, max_cells)


def _inline_text(inline) -> str:
    """An inline string's text, phonetic guides left out."""
    return "".join(t.text or "" for t in inline.iter("{*}t") if not _inside_rph(t))


def _drop(element) -> None:
    """Free what was read: the element and the siblings before it."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def csv_rows(
    text: str,
    *,
    delimiter: str,
    max_rows: int = MAX_ROWS,
    max_columns: int | None = MAX_COLUMNS,
    max_cell_chars: int = MAX_CELL_CHARS,
    strict: bool = False,
) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of a decoded CSV, numbered as a spreadsheet shows them (a record over
    several lines is one row), with the limits of a sheet: rows, filled columns (unless None: the
    caller checks widths itself), cell length. A csv.Error is left to the caller, which knows how to
    word it."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    for number, row in enumerate(reader, start=1):
        if number > max_rows + 1:  # the header, then max_rows
            raise _too_many_rows(max_rows)
        if max_columns is not None and (
            len(row) > MAX_CELLS_PER_ROW or any(cell.strip() for cell in row[max_columns:])
        ):
            raise _too_many_columns(max_columns)
        if any(len(cell) > max_cell_chars for cell in row):
            raise _cell_too_long(number, max_cell_chars)
        yield number, row
