"""Loading the vocabulary of the national standard, idempotently, without touching staff additions."""

import csv
import json
import re
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from aptic.core import reference

from .models import AccessMode, PlaceTypology, Public, ServiceCategory, SupportMode

DATA_DIR = Path(__file__).resolve().parent / "data"
SCHEMA_FILE = "lieux-mediation-numerique-schema.json"
TYPOLOGIES_FILE = "typologies.csv"
DATASET = "vocabulary"

# Model ← field of the national standard whose pattern enumerates the terms.
FROM_SCHEMA = {
    ServiceCategory: "services",
    Public: "publics_specifiquement_adresses",
    AccessMode: "modalites_acces",
    SupportMode: "modalites_accompagnement",
}
_ALTERNATION = re.compile(r"\(\?:\(\?:\^\|\\\|\)\((.*)\)\)\+\$$")


def enumeration_from_pattern(pattern: str) -> list[str]:
    """'(?:(?:^|\\|)(A|B \\(x\\)))+$' gives ['A', 'B (x)']."""
    match = _ALTERNATION.match(pattern)
    if not match:
        raise ValueError(f"Motif inattendu dans le schéma : {pattern!r}")
    values = re.split(r"(?<!\\)\|", match.group(1))
    return [re.sub(r"\\(.)", r"\1", value) for value in values]


def schema_terms(schema: dict) -> dict:
    fields = {field["name"]: field for field in schema["fields"]}
    return {
        model: enumeration_from_pattern(fields[name]["constraints"]["pattern"]) for model, name in FROM_SCHEMA.items()
    }


def _upsert_terms(model, terms: list[tuple[str, str, str]]) -> int:
    """terms: (code, label, standard_value), in display order."""
    for position, (code, label, standard_value) in enumerate(terms, start=1):
        model.objects.update_or_create(
            code=code,
            defaults={"label": label, "standard_value": standard_value, "position": position, "from_standard": True},
        )
    return len(terms)


@transaction.atomic
def vocabulary_load(*, data_dir: Path = DATA_DIR, force: bool = False) -> dict[str, int] | None:
    """Create or update the standard's terms; None when the files were already loaded."""
    paths = [data_dir / SCHEMA_FILE, data_dir / TYPOLOGIES_FILE]
    checksum = reference.files_checksum(paths)
    if not force and reference.is_loaded(DATASET, checksum):
        return None
    schema = json.loads((data_dir / SCHEMA_FILE).read_text(encoding="utf-8"))
    counts = {}
    for model, values in schema_terms(schema).items():
        counts[model._meta.verbose_name_plural] = _upsert_terms(
            model, [(slugify(value)[:60], value, value) for value in values]
        )
    with open(data_dir / TYPOLOGIES_FILE, encoding="utf-8", newline="") as handle:
        typologies = [
            (row["code"].lower().replace("_", "-"), row["label"], row["code"]) for row in csv.DictReader(handle)
        ]
    counts[PlaceTypology._meta.verbose_name_plural] = _upsert_terms(PlaceTypology, typologies)
    reference.mark_loaded(DATASET, checksum, sum(counts.values()))
    return counts
