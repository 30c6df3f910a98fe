"""Writing a generation of the open statistics (ADR 0051): every CSV and the data package describing
them, under a directory of their own in the private storage, then the Publication row that makes
them the ones served. A reader never sees half a generation: the row is written last. Re-exported
by services.py, the app's door for writes."""

import csv
import datetime
import hashlib
import io
import json
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from aptic.core import tabular
from aptic.core.files import private_storage

from .models import Publication
from .statistics import TABLES, all_tables

KEEP = 2  # generations kept: the latest, and the one a download may still be reading
DATAPACKAGE = "datapackage.json"
LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


def csv_name(name: str) -> str:
    return f"{name}.csv"


def schema_name(name: str) -> str:
    return f"{name}.schema.json"


def datapackage(files: dict, generated_at: datetime.datetime) -> dict:
    """The Data Package of one generation: its resources' paths and schemas are relative to the
    package's own URL, where the files are served side by side."""
    return {
        "name": "aptic-statistiques-ouvertes",
        "title": "#APTIC — statistiques ouvertes des utilisations des chèques et des lieux",
        "description": "Utilisations mensuelles des chèques #APTIC et lieux de médiation numérique connus de la "
        "plateforme, petits effectifs masqués (secret statistique).",
        "licenses": [LICENCE],
        "created": generated_at.isoformat(timespec="seconds"),
        "resources": [
            {
                "name": table.name,
                "path": csv_name(table.name),
                "title": table.title,
                "description": table.description,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema_name(table.name),
                "bytes": files[csv_name(table.name)]["bytes"],
                "hash": files[csv_name(table.name)]["hash"],
            }
            for table in TABLES.values()
        ],
    }


def _hash(data: bytes) -> str:
    """As the Data Package specification writes a hash other than MD5: "<algorithm>:<hex digest>"."""
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def _save(directory: str, name: str, data: bytes) -> None:
    saved = private_storage.save(f"{directory}/{name}", ContentFile(data))
    assert saved == f"{directory}/{name}", saved  # a fresh directory: the storage never renames


def statistics_publish(*, today: datetime.date | None = None) -> Publication:
    """Compute and write every table anew; the previous generations but one are deleted."""
    generated_at = timezone.now()
    tables = all_tables(today)
    directory = f"opendata/statistiques/{generated_at:%Y%m%dT%H%M%S%f}"
    files = {}
    for name, rows in tables.items():
        data = tabular.csv_bytes(TABLES[name].columns, rows, dialect=tabular.RFC4180)
        _save(directory, csv_name(name), data)
        files[csv_name(name)] = {"rows": len(rows), "bytes": len(data), "hash": _hash(data)}
    package = json.dumps(datapackage(files, generated_at), ensure_ascii=False, indent=2).encode()
    _save(directory, DATAPACKAGE, package)
    months = [row[0] for row in tables[next(iter(TABLES))]]
    with transaction.atomic():
        publication = Publication.objects.create(
            generated_at=generated_at,
            months_until=datetime.date.fromisoformat(f"{max(months)}-01") if months else None,
            directory=directory,
            files=files | {DATAPACKAGE: {"bytes": len(package), "hash": _hash(package)}},
        )
        old = list(Publication.objects.exclude(pk__in=Publication.objects.all()[:KEEP].values("pk")))
        Publication.objects.filter(pk__in=[p.pk for p in old]).delete()
    for stale in old:  # files after the rows: a reader of a deleted row gets a 404, never a half file
        for name in stale.files:
            private_storage.delete(f"{stale.directory}/{name}")
    return publication


def latest_publication() -> Publication:
    """The generation the URLs serve; written now if there was never one."""
    return Publication.objects.first() or statistics_publish()


def statistics_xlsx(publication: Publication, name: str) -> bytes:
    """The XLSX twin of a published table (issue #15: every CSV also as XLSX): its stored CSV's rows,
    integers and numbers typed as the Table Schema says, through the one tabular writer."""
    table = TABLES[name]
    header, cells = stored_rows(publication.directory, name)
    kinds = {f.name: f.type for f in table.fields}
    convert = [
        int if kinds.get(column) == "integer" else Decimal if kinds.get(column) == "number" else str
        for column in header
    ]
    rows = [[kind(cell) if cell != "" else None for kind, cell in zip(convert, row, strict=True)] for row in cells]
    return tabular.xlsx_bytes(header, rows, title=table.title)


def stored_rows(directory: str, name: str) -> tuple[list[str], list[list[str]]]:
    """A published table's header and rows, read back from the stored CSV of a generation (its
    directory) as a reuser reads the file: strings, "" for a blank. FileNotFoundError when the
    generation was deleted meanwhile."""
    with private_storage.open(f"{directory}/{csv_name(name)}", "rb") as handle:
        reader = csv.reader(io.StringIO(handle.read().decode("utf-8")))
        return next(reader), list(reader)
