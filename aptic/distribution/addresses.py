"""Reading a funder's file of beneficiaries' postal addresses (CSV or Excel), row by row, with
French messages naming the line and the column. Nothing is written here: the caller gets either
every row or every problem (up to MAX_ERRORS)."""

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass

from aptic.core import formats, tabular
from aptic.core.errors import DomainError

from .models import BeneficiaryCategory
from .postal import LINE, AddressError, address_lines

MAX_ROWS = 100_000
MAX_BYTES = 30 * 1024 * 1024
MAX_ERRORS = 50
CITY = 32  # La Poste's town names (libellé d'acheminement) are 32 characters at most

# Column → the headers accepted for it (compared without accents, case or punctuation).
COLUMNS = {
    "nom": ("nom", "nom complet", "destinataire", "nom et prenom", "prenom nom"),
    "adresse": ("adresse", "adresse 1", "rue", "voie", "numero et voie"),
    "complement": ("complement", "complement d adresse", "adresse 2", "batiment"),
    "code_postal": ("code postal", "cp"),
    "ville": ("ville", "commune", "localite"),
    "categorie": ("categorie", "public", "categorie de public"),
}
REQUIRED = ("nom", "adresse", "code_postal", "ville")
_LENGTHS = (("nom", LINE), ("adresse", LINE), ("complement", LINE), ("ville", CITY))
# Control characters (C0 but tab, and C1): a file read with the wrong encoding shows them.
_UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
# UTF-8 read as Latin-1/Windows-1252 somewhere upstream: "Ã©" for "é".
_MOJIBAKE = re.compile(
    r"[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc\u20ac\u2122]"
)
_POSTAL = re.compile(r"^\d{5}$")


class AddressFileError(DomainError):
    """The file is refused as a whole; `errors` lists every problem found (line, column, what)."""

    def __init__(self, errors: list[str]):
        count = sum(1 for e in errors if not e.startswith("…"))
        super().__init__(
            f"Le fichier n'a pas été importé : {formats.count(count, 'problème')} à corriger.", field="file"
        )
        self.errors = errors


@dataclass(frozen=True)
class AddressRow:
    line: int
    name: str
    street: str
    complement: str
    postal_code: str
    city: str
    category: str


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=4096)  # a file repeats its postcodes, towns and empty complements
def _key(text: str) -> str:
    text = str(text)
    if not text.isascii():  # most cells are: skip the Unicode decomposition (run 500,000 times a file)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_ALNUM.sub(" ", text.lower()).strip()  # each run of other characters became one space


_HEADERS = {_key(alias): column for column, aliases in COLUMNS.items() for alias in aliases}
_CATEGORIES = {}
for _value, _label in BeneficiaryCategory.choices:
    _CATEGORIES[_key(_value)] = _value
    _CATEGORIES[_key(_label)] = _value


def read_address_file(name: str, data: bytes) -> list[AddressRow]:
    """Every row of the file, or AddressFileError listing what is wrong."""
    if not data:
        raise AddressFileError(["Le fichier est vide."])
    if len(data) > MAX_BYTES:
        raise AddressFileError(["Le fichier dépasse 30 Mo."])
    if data[:4] == b"PK\x03\x04":
        rows = _excel_rows(data)
    elif name.lower().endswith((".xlsx", ".xls", ".ods")):
        raise AddressFileError(["Ce fichier n'est pas un classeur Excel lisible (.xlsx attendu)."])
    else:
        rows = _csv_rows(data)
    return _validate(rows)


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise AddressFileError(
            ["Ce fichier n'est ni un CSV (texte) ni un classeur Excel .xlsx : enregistrez-le au format CSV."]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Windows-1252 (Excel's French CSV), a superset of Latin-1's printable characters;
    # Latin-1 decodes anything, and the cells are then checked for unreadable characters.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _too_many_rows() -> AddressFileError:
    return AddressFileError(
        [f"Le fichier compte plus de {formats.count(MAX_ROWS, 'adresse')} : découpez-le en plusieurs envois."]
    )


def _refused(exc: tabular.SpreadsheetError) -> AddressFileError:
    return _too_many_rows() if exc.code == "rows" else AddressFileError([exc.message])


def _csv_rows(data: bytes):
    text = _decode(data)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        yield from tabular.csv_rows(text, delimiter=delimiter, max_rows=MAX_ROWS)
    except csv.Error as exc:
        raise AddressFileError(["Le fichier CSV est mal formé : une valeur est démesurée."]) from exc
    except tabular.SpreadsheetError as exc:
        raise _refused(exc) from exc


def _excel_rows(data: bytes):
    """The first sheet, streamed through the one spreadsheet reader (its limits: ADR 0021)."""
    try:
        for number, row in tabular.xlsx_rows(data, max_rows=MAX_ROWS):
            yield number, [v if v.__class__ is str else _cell_text(v) for v in row]  # most cells are text
    except tabular.SpreadsheetError as exc:
        raise _refused(exc) from exc


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a postal code typed as a number
    return str(value)


def _header(raw: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(raw):
        column = _HEADERS.get(_key(cell))
        if column and column not in positions:
            positions[column] = index
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        names = ", ".join(f"« {c} »" for c in missing)
        found = ", ".join(f"« {c.strip()} »" for c in raw if c.strip()) or "aucune"
        raise AddressFileError(
            [
                f"Ligne 1 : {formats.plural(len(missing), 'colonne obligatoire', 'colonnes obligatoires')} "
                f"{formats.plural(len(missing), 'manquante')} : {names}. Colonnes trouvées : {found}. "
                "Colonnes attendues : nom, adresse, complement (facultative), code_postal, ville, "
                "categorie (facultative)."
            ]
        )
    return positions


def _validate(rows) -> list[AddressRow]:
    errors: list[str] = []
    result: list[AddressRow] = []
    seen: dict[tuple, int] = {}
    positions = None

    def error(message):
        errors.append(message)
        if len(errors) >= MAX_ERRORS:
            errors.append(f"… arrêt après {MAX_ERRORS} erreurs.")
            raise AddressFileError(errors)

    for line, raw in rows:  # cells are text, from either reader
        if not "".join(raw).strip():
            continue  # blank lines are not addresses
        if positions is None:
            positions = _header(raw)
            columns = list(positions.items())
            continue
        if len(result) + 1 > MAX_ROWS:
            raise _too_many_rows()
        width = len(raw)
        values = {column: " ".join(raw[index].split()) if index < width else "" for column, index in columns}
        row_errors = _check_row(line, values)
        for message in row_errors:
            error(message)
        if row_errors:
            continue
        get = values.get  # the duplicate key, written out: a generator costs more than the five calls
        key = (_key(get("nom", "")), _key(get("adresse", "")), _key(get("complement", "")))
        key += (_key(get("code_postal", "")), _key(get("ville", "")))
        if key in seen:
            error(f"Ligne {line} : doublon de la ligne {seen[key]} (même nom et même adresse).")
            continue
        seen[key] = line
        result.append(
            AddressRow(
                line=line,
                name=values["nom"],
                street=values["adresse"],
                complement=values.get("complement", ""),
                postal_code=values["code_postal"],
                city=values["ville"].upper(),
                category=_CATEGORIES[_key(values["categorie"])] if values.get("categorie") else "not_stated",
            )
        )
    if positions is None:
        errors.append("Le fichier ne contient aucune ligne : la première ligne doit porter les noms des colonnes.")
    elif not result and not errors:
        errors.append("Le fichier ne contient aucune adresse sous la ligne des noms de colonnes.")
    if errors:
        raise AddressFileError(errors)
    return result


def _check_row(line: int, values: dict[str, str]) -> list[str]:
    problems = []
    joined = "\n".join(values.values())  # one search for the whole row: nearly every row is clean
    if _UNREADABLE.search(joined) or _MOJIBAKE.search(joined):
        for column, value in values.items():
            if _UNREADABLE.search(value) or _MOJIBAKE.search(value):
                problems.append(
                    f"Ligne {line}, colonne « {column} » : caractères illisibles (« {value[:20]} ») ; "
                    "enregistrez le fichier en UTF-8 ou en Latin-1."
                )
        if problems:
            return problems
    for column in REQUIRED:
        if not values.get(column):
            problems.append(f"Ligne {line}, colonne « {column} » : valeur manquante.")
    for column, limit in _LENGTHS:
        if len(values.get(column, "")) > limit:
            problems.append(
                f"Ligne {line}, colonne « {column} » : {len(values[column])} caractères, "
                f"{limit} au plus sur une enveloppe."
            )
    postal = values.get("code_postal", "")
    if postal and not _POSTAL.match(postal):
        problems.append(
            f"Ligne {line}, colonne « code_postal » : « {postal[:10]} » n'est pas un code postal (5 chiffres)."
        )
    category = values.get("categorie", "")
    if category and _key(category) not in _CATEGORIES:
        problems.append(
            f"Ligne {line}, colonne « categorie » : « {category[:30]} » n'est pas un public connu "
            f"({', '.join(label for _, label in BeneficiaryCategory.choices)})."
        )
    if not problems:
        try:  # the block as letters and labels will print it (a town of 32 letters with Œ spells 33)
            address_lines(
                name=values["nom"],
                street=values["adresse"],
                complement=values.get("complement", ""),
                postal_code=postal,
                city=values["ville"],
            )
        except AddressError as exc:
            problems.append(f"Ligne {line} : {exc.message}")
    return problems
