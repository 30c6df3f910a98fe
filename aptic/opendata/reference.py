"""Reference places (ADR 0049, 0050): a source's file in the national standard, imported into
`places.ReferencePlace` — the existing offer the territorial diagnostic counts beside #APTIC's.

The file is read by the providers' import's reader (`reading.read_table`: encodings, delimiters,
column names in any case) and its rows by the same helpers (`services`: lost leading zeros,
decimal commas, DD/MM/YYYY, communes by INSEE code then by postal code and name), with these
differences, because a reference place is never payable and never a provider:
- no SIRET needed: a `pivot` that is a valid SIRET is kept (it helps recognise an #APTIC place),
  anything else (SIREN, RNA, empty) is ignored with a warning; no structure is ever created;
- unknown typologies are ignored with a warning (data·inclusion adds codes), unknown services are
  errors (they are what the diagnostic counts);
- bigger files: up to REFERENCE_MAX_ROWS rows and REFERENCE_MAX_BYTES, in a background job.

All or nothing: every row is checked before anything is written; one row in error (or two rows
with the same `id`) and nothing is written, the report naming each row and column. Otherwise, in
one transaction: new ids are created, changed rows updated, rows absent from the file retired
(`retired_at`), retired rows back in the file restored, unchanged rows left untouched.
"""

import datetime
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from aptic.core import clock, formats
from aptic.core.errors import DomainError
from aptic.jobs.services import job_enqueue
from aptic.places import services as places
from aptic.places.models import ReferenceImport, ReferenceImportStatus, ReferencePlace
from aptic.places.selectors import TwinIndex
from aptic.providers.services import clean_siret
from aptic.territories.normalise import normalise_name

from . import reading, standard
from .services import INSEE_CODE, POSTAL_CODE, _date, _Lookups, _number, _restore_zero, _split, _url

REFERENCE_MAX_ROWS = 100_000  # the national cartography holds about 20,000 places
REFERENCE_MAX_BYTES = 64 * 1024 * 1024
REQUIRED = ("id", "nom", "commune", "date_maj")
MAX_LENGTHS = {"id": 250, "nom": 250, "adresse": 250}
MAX_CELL = 10_000
MAX_MESSAGES = 300  # errors kept in the report; the count says how many more
PROGRESS_EVERY = 2_000
BATCH = 2_000
# The place's own fields a re-import compares (with its categories and typologies).
FIELDS = ("name", "commune_id", "address", "postal_code", "latitude", "longitude", "siret", "website")
FIELDS += ("source_updated_on",)


@dataclass(frozen=True)
class ReferenceRow:
    """A row that passed the checks: what ReferencePlace will hold."""

    source_id: str
    name: str
    commune_id: str
    address: str
    postal_code: str
    latitude: float
    longitude: float
    siret: str
    website: str
    source_updated_on: datetime.date | None
    category_ids: tuple
    typology_ids: tuple

    def key(self) -> tuple:
        return tuple(getattr(self, name) for name in FIELDS) + (self.category_ids, self.typology_ids)


@dataclass
class ReferenceReport:
    source: str
    filename: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    restored: int = 0
    retired: int = 0
    twins: int = 0
    rows_in_error: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def summary(self) -> str:
        if self.has_errors:
            if not self.rows_in_error:
                return f"Fichier refusé : {self.errors[0]}"
            return (
                f"Aucun lieu importé : {formats.count(self.rows_in_error, 'ligne')} sur {formats.number(self.rows)} "
                f"{'est' if self.rows_in_error == 1 else 'sont'} en erreur. Rien n'a été enregistré : corrigez le "
                "fichier, puis importez-le de nouveau."
            )
        return (
            f"Import réussi, {formats.count(self.rows, 'ligne')} : {formats.number(self.created)} "
            f"{formats.plural(self.created, 'ajouté')}, {formats.number(self.updated)} "
            f"{formats.plural(self.updated, 'modifié')}, {formats.number(self.unchanged)} "
            f"{formats.plural(self.unchanged, 'inchangé')}, {formats.number(self.restored)} "
            f"{formats.plural(self.restored, 'revenu')}, {formats.number(self.retired)} "
            f"{formats.plural(self.retired, 'retiré')} ; {formats.number(self.twins)} "
            f"{formats.plural(self.twins, 'déjà connu')} comme lieu #APTIC, {formats.plural(self.twins, 'compté')} "
            "une seule fois."
        )


class _Notes:
    """Warnings grouped by kind, so that 20,000 RNA numbers make one line, not 20,000."""

    def __init__(self):
        self.lines = defaultdict(list)

    def add(self, kind: str, line: int) -> None:
        self.lines[kind].append(line)

    def messages(self) -> list[str]:
        out = []
        for kind, lines in self.lines.items():
            shown = ", ".join(str(line) for line in lines[:10]) + (" …" if len(lines) > 10 else "")
            out.append(f"{kind} ({formats.count(len(lines), 'ligne')} : {shown}).")
        return out


NOT_SIRET = "Colonne pivot : pas un SIRET valide (SIREN, RNA ou autre), ignoré — un lieu de référence n'en a pas besoin"
FAR = "Colonnes latitude et longitude : trop loin de la commune, le lieu est placé au centre de la commune"
NO_COORDINATES = "Colonnes latitude et longitude : absentes, le lieu est placé au centre de la commune"
UNKNOWN_TYPOLOGY = "Colonne typologie : valeur inconnue du vocabulaire, ignorée"


# The same few values on every row: normalised once.
_normalised = functools.lru_cache(maxsize=4096)(standard.normalise_value)


# Tabs, line breaks, other control characters and the invisible format ones (U+2028, U+202E…).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def _agrees(commune, name: str, postal_code: str) -> bool:
    """Whether a row's commune name or postal code fits the commune its INSEE code names."""
    wanted = normalise_name(name)
    named = wanted == commune.search_name or wanted.startswith(commune.search_name + " ")
    return named or (bool(postal_code) and postal_code in commune.postal_codes.split())


def _row_errors(row: reading.Row, lookups: _Lookups, seen: dict[str, int], notes: _Notes):
    """(the ReferenceRow, []) or (None, the row's errors in French, each naming its line and column)."""
    errors = []

    def value(column: str) -> str:
        return row.values.get(column, "")

    def error(column: str | None, message: str) -> None:
        errors.append(f"Ligne {row.line}, colonne {column} : {message}" if column else f"Ligne {row.line} : {message}")

    if row.extra_cells:
        error(None, f"{formats.count(row.extra_cells, 'valeur')} de plus que de colonnes dans l'en-tête.")
    for column in REQUIRED:
        if not value(column):
            error(column, "Cette valeur est obligatoire.")
    for column, cell in row.values.items():
        limit = MAX_LENGTHS.get(column, MAX_CELL)
        if len(cell) > limit:
            error(column, f"La valeur compte {formats.number(len(cell))} caractères : {formats.number(limit)} au plus.")
    identifier = value("id")
    if identifier in seen:
        error("id", f"L'identifiant « {identifier[:60]} » figure déjà ligne {seen[identifier]}.")
    elif identifier:
        seen[identifier] = row.line

    siret = ""
    if value("pivot"):
        try:
            siret = clean_siret(value("pivot").replace(" ", ""))
        except DomainError:
            notes.add(NOT_SIRET, row.line)

    postal_code = _restore_zero(value("code_postal"))
    if postal_code and not POSTAL_CODE.match(postal_code):
        error("code_postal", f"« {postal_code[:20]} » n'est pas un code postal (5 chiffres).")
        postal_code = ""
    insee_code = _restore_zero(value("code_insee")).upper()
    if insee_code and not INSEE_CODE.match(insee_code):
        error("code_insee", f"« {insee_code[:20]} » n'est pas un code INSEE de commune (5 caractères).")
        insee_code = ""
    commune = None
    if value("commune"):
        commune = lookups.commune(insee_code, postal_code, value("commune"))
        if commune is None:
            codes = ", ".join(
                p
                for p in (postal_code and f"code postal {postal_code}", insee_code and f"code INSEE {insee_code}")
                if p
            )
            error(
                "commune",
                f"Aucune commune actuelle ne correspond à « {value('commune')[:60]} » ({codes or 'sans code'}).",
            )
        elif insee_code and not _agrees(commune, value("commune"), postal_code):
            # A code INSEE wins over the name; one that fits neither the name nor the postal code is a slip.
            error(
                "code_insee",
                f"« {insee_code} » est le code INSEE de {commune.name}, pas de « {value('commune')[:60]} »"
                + (f" ({postal_code})" if postal_code else "")
                + ".",
            )

    latitude = longitude = None
    for column, bound in (("latitude", 90), ("longitude", 180)):
        if not value(column):
            continue
        try:
            number = _number(value(column))
        except ValueError:
            error(column, f"« {value(column)[:30]} » n'est pas un nombre en degrés décimaux (ex. 45.4241).")
            continue
        if not -bound <= number <= bound:
            error(column, f"La {column} {number:g} est impossible : elle est comprise entre -{bound} et {bound}.")
        elif column == "latitude":
            latitude = number
        else:
            longitude = number
    if bool(value("latitude")) != bool(value("longitude")):
        error(
            "latitude", "Indiquez la latitude et la longitude, ou aucune des deux (la commune sert alors de position)."
        )

    categories, unknown = [], []
    for raw in _split(value("services")):
        term = lookups.terms["service_categories"].get(_normalised(raw))
        (categories.append(term.pk) if term else unknown.append(raw))
    if unknown:
        listed = ", ".join(f"« {raw[:60]} »" for raw in unknown[:5])
        allowed = " ; ".join(sorted(standard.enumeration("services")))
        error("services", f"Valeur inconnue {listed} : les valeurs possibles sont : {allowed}.")
    typologies = []
    for raw in _split(value("typologie")):
        term = lookups.terms["typologies"].get(_normalised(raw))
        if term:
            typologies.append(term.pk)
        else:
            notes.add(UNKNOWN_TYPOLOGY, row.line)

    updated_on = None
    if value("date_maj"):
        try:
            updated_on = _date(value("date_maj"))
        except ValueError:
            error("date_maj", f"« {value('date_maj')[:20]} » n'est pas une date (AAAA-MM-JJ, ex. 2024-04-02).")
        else:
            if updated_on > timezone.localdate() + datetime.timedelta(days=1):
                error("date_maj", f"« {value('date_maj')[:20]} » est une date à venir.")
    for column in ("nom", "adresse", "commune"):
        if CONTROL.search(value(column)):
            error(column, "La valeur contient un caractère invisible ou de contrôle (tabulation, retour à la ligne…).")

    if errors:
        return None, errors
    if latitude is None:
        notes.add(NO_COORDINATES, row.line)
        latitude, longitude = commune.latitude, commune.longitude
    else:
        try:
            places.clean_coordinates(latitude, longitude, commune)
        except DomainError:
            notes.add(FAR, row.line)
            latitude, longitude = commune.latitude, commune.longitude
    website = _url(value("site_web"))
    return (
        ReferenceRow(
            source_id=identifier,
            name=value("nom"),
            commune_id=commune.insee_code,
            address=value("adresse"),
            postal_code=postal_code,
            latitude=latitude,
            longitude=longitude,
            siret=siret,
            website=website if website.startswith(("http://", "https://")) and len(website) <= 500 else "",
            source_updated_on=updated_on,
            category_ids=tuple(sorted(set(categories))),
            typology_ids=tuple(sorted(set(typologies))),
        ),
        [],
    )


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(source: str) -> dict[str, tuple[int, datetime.datetime | None, tuple]]:
    """source_id → (pk, retired_at, key) of the source's rows already imported."""
    categories, typologies = defaultdict(list), defaultdict(list)
    through = ReferencePlace.service_categories.through
    for pk, category_id in through.objects.filter(referenceplace__source=source).values_list(
        "referenceplace_id", "servicecategory_id"
    ):
        categories[pk].append(category_id)
    through = ReferencePlace.typologies.through
    for pk, typology_id in through.objects.filter(referenceplace__source=source).values_list(
        "referenceplace_id", "placetypology_id"
    ):
        typologies[pk].append(typology_id)
    existing = {}
    for pk, source_id, retired_at, *values in ReferencePlace.objects.filter(source=source).values_list(
        "pk", "source_id", "retired_at", *FIELDS
    ):
        key = tuple(values) + (tuple(sorted(categories[pk])), tuple(sorted(typologies[pk])))
        existing[source_id] = (pk, retired_at, key)
    return existing


def _executemany(sql: str, params: list) -> None:
    # The ORM's bulk_update (a CASE per column) and bulk_create (a model instance a row) took most of
    # an import's time (bench/reference_places.py); plain statements, many parameters.
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def _insert_many(table: str, columns: list[str], rows: list) -> None:
    """Insert rows: COPY on PostgreSQL (four times executemany's speed, bench/reference_places.py),
    executemany elsewhere. Names from the models' metadata, values as parameters."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(columns))
    _executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _set_relations(rows: list[tuple[int, ReferenceRow]], *, replace: bool) -> None:
    pks = [pk for pk, _ in rows]
    for relation, attribute, column in (
        (ReferencePlace.service_categories.through, "category_ids", "servicecategory_id"),
        (ReferencePlace.typologies.through, "typology_ids", "placetypology_id"),
    ):
        if replace:
            for chunk in _chunks(pks):
                relation.objects.filter(referenceplace_id__in=chunk).delete()
        links = [(pk, term) for pk, row in rows for term in getattr(row, attribute)]
        _insert_many(relation._meta.db_table, ["referenceplace_id", column], links)


def _prepared(names: tuple, rows) -> tuple[list, list]:
    """The model's fields of `names`, and each row's values as the database takes them."""
    fields = [ReferencePlace._meta.get_field(name) for name in names]
    return fields, [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)] for row in rows]


def _insert(source: str, new: list[ReferenceRow], at: datetime.datetime) -> list[tuple[int, ReferenceRow]]:
    names = ("source", "source_id", *FIELDS, "imported_at", "updated_at")
    fields, params = _prepared(names, ([source, r.source_id, *(getattr(r, n) for n in FIELDS), at, at] for r in new))
    _insert_many(ReferencePlace._meta.db_table, [f.column for f in fields], params)
    pks = dict(ReferencePlace.objects.filter(source=source).values_list("source_id", "pk")) if new else {}
    return [(pks[row.source_id], row) for row in new]


def _update(changed: list[tuple[int, ReferenceRow]], at: datetime.datetime) -> None:
    names = (*FIELDS, "updated_at", "retired_at")
    fields, params = _prepared(names, ([*(getattr(r, n) for n in FIELDS), at, None] for _, r in changed))
    quote = connection.ops.quote_name
    table, assignments = quote(ReferencePlace._meta.db_table), ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote(ReferencePlace._meta.pk.column)} = %s"  # noqa: S608
    _executemany(sql, [values + [pk] for values, (pk, _) in zip(params, changed, strict=True)])


@transaction.atomic
def _write(source: str, rows: list[ReferenceRow], at: datetime.datetime, report: ReferenceReport) -> None:
    existing = _existing(source)
    new, changed, restored = [], [], []
    for row in rows:
        if row.source_id not in existing:
            new.append(row)
            continue
        pk, retired_at, key = existing[row.source_id]
        if key != row.key():
            changed.append((pk, row))
        elif retired_at is not None:
            restored.append(pk)
        else:
            report.unchanged += 1
    _set_relations(_insert(source, new, at), replace=False)
    _update(changed, at)
    _set_relations(changed, replace=True)
    for chunk in _chunks(restored):
        ReferencePlace.objects.filter(pk__in=chunk).update(retired_at=None, updated_at=at)
    in_file = {row.source_id for row in rows}
    vanished = [
        pk for source_id, (pk, retired_at, _) in existing.items() if retired_at is None and source_id not in in_file
    ]
    for chunk in _chunks(vanished):
        ReferencePlace.objects.filter(pk__in=chunk).update(retired_at=at, updated_at=at)
    report.created, report.updated, report.restored, report.retired = (
        len(new),
        len(changed),
        len(restored),
        len(vanished),
    )


def _record(record: ReferenceImport | None, report: ReferenceReport, actor, at) -> ReferenceImport:
    record = record or ReferenceImport(source=report.source, filename=report.filename, created_by=actor, created_at=at)
    for name in ("rows", "created", "updated", "unchanged", "restored", "retired", "twins"):
        setattr(record, name, getattr(report, name))
    record.status = ReferenceImportStatus.REFUSED if report.has_errors else ReferenceImportStatus.DONE
    record.summary = report.summary[:500]
    record.errors = report.errors[:MAX_MESSAGES] + (
        [f"… et {formats.count(len(report.errors) - MAX_MESSAGES, 'autre erreur', 'autres erreurs')}."]
        if len(report.errors) > MAX_MESSAGES
        else []
    )
    record.warnings = report.warnings
    # A queued import (its job's) ends now; one run at once (command, demo) at its own moment.
    record.finished_at = timezone.now() if record.pk else at
    record.save()
    return record


def clean_source(source: str) -> str:
    source = " ".join((source or "").split())
    if not source:
        raise DomainError("Indiquez le nom de la source (par exemple « Cartographie nationale »).", field="source")
    if len(source) > 100:
        raise DomainError("Le nom de la source compte plus de 100 caractères.", field="source")
    return source


def reference_places_import(
    *, source: str, data: bytes, at: datetime.datetime | None = None, filename: str = "", actor=None, progress=None,
    record: ReferenceImport | None = None,
) -> ReferenceReport:  # fmt: skip
    """Import a source's file of reference places; all or nothing (see the module docstring).

    The outcome is recorded on `record` (a ReferenceImport, created when None), refused or done.
    `progress(done, total, message)` is called while the rows are checked, outside any transaction.
    Raises DomainError when the file itself is unusable (recorded as refused first)."""
    source = clean_source(source)
    at = clock.moment(at)
    progress = progress or (lambda done, total=None, message="": None)
    report = ReferenceReport(source=source, filename=filename)
    try:
        table = reading.read_table(data, max_rows=REFERENCE_MAX_ROWS, max_bytes=REFERENCE_MAX_BYTES)
    except DomainError as exc:
        report.errors.append(exc.message)
        _record(record, report, actor, at)
        raise
    report.rows = len(table.rows)
    report.warnings = list(table.warnings)
    progress(0, report.rows, "Vérification des lignes…")
    lookups, seen, notes, rows = _Lookups(all_communes=True), {}, _Notes(), []
    for done, row in enumerate(table.rows, start=1):
        parsed, errors = _row_errors(row, lookups, seen, notes)
        if errors:
            report.rows_in_error += 1
            report.errors += errors
        else:
            rows.append(parsed)
        if done % PROGRESS_EVERY == 0:
            progress(done)
    report.warnings += notes.messages()
    if not report.has_errors:
        twins = TwinIndex.of_public_places()
        report.twins = sum(1 for r in rows if twins.has_twin(r.commune_id, r.name, r.siret, r.latitude, r.longitude))
        progress(report.rows, None, "Enregistrement des lieux…")
        _write(source, rows, at, report)
    _record(record, report, actor, at)
    return report


REFERENCE_IMPORT_JOB = "opendata.reference_import"


def reference_import_request(*, source: str, data: bytes, filename: str, user) -> ReferenceImport:
    """Keep the uploaded file and queue its import (REFERENCE_IMPORT_JOB): 50,000 rows take longer
    than a web request should."""
    source = clean_source(source)
    reading.check_text(data, max_bytes=REFERENCE_MAX_BYTES)  # a zip, an image, JSON: refused at once
    with transaction.atomic():
        record = ReferenceImport(source=source, filename=filename[:255], created_by=user)
        record.file.save(f"{timezone.now():%Y%m%d%H%M%S}.csv", ContentFile(data), save=False)
        record.save()
        record.job = job_enqueue(kind=REFERENCE_IMPORT_JOB, params={"import_id": record.pk}, user=user)
        record.save(update_fields=["job"])
    return record


def reference_import_run(*, record: ReferenceImport, progress) -> ReferenceReport | None:
    """The job's work: import the kept file, then delete it. Run again after a crash, it starts over
    (the import is one transaction); an import already finished is left as it is."""
    if record.status != ReferenceImportStatus.QUEUED:
        return None
    with record.file.open("rb") as handle:
        data = handle.read()
    try:
        return reference_places_import(
            source=record.source,
            data=data,
            filename=record.filename,
            actor=record.created_by,
            progress=progress,
            record=record,
        )
    finally:
        record.file.delete(save=False)
        ReferenceImport.objects.filter(pk=record.pk).update(file="")
