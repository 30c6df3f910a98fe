"""The national standard for places of digital mediation (v1.0.2), as the shipped schema states it.

One reading of `aptic/vocabulary/data/lieux-mediation-numerique-schema.json` (the copy the vocabulary
is loaded from, ADR 0006) gives the column names in their order, the required ones and the closed
lists of values, so that export and import follow the file rather than a copy of it in the code.
"""

import json
import re
import unicodedata
from functools import cache

from aptic.vocabulary.services import DATA_DIR, SCHEMA_FILE, enumeration_from_pattern

SCHEMA_PATH = DATA_DIR / SCHEMA_FILE
SCHEMA_URL = "https://schema.data.gouv.fr/LaMednum/standard-mediation-num/"

# What #APTIC writes in the export.
SOURCE = "#APTIC"
ID_PREFIX = "aptic-lieu-"
MOBILE, FIXED = "Itinérant", "Fixe"
FREE, PAID = "Gratuit", "Payant"
SEPARATOR = "|"


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def fields() -> dict[str, dict]:
    return {field["name"]: field for field in schema()["fields"]}


def columns() -> list[str]:
    """Every column of the standard, in its order."""
    return list(fields())


def required_columns() -> list[str]:
    return [name for name, field in fields().items() if field.get("constraints", {}).get("required")]


@cache
def enumeration(name: str) -> frozenset[str]:
    """The values a multi-valued field accepts, read from its pattern."""
    return frozenset(enumeration_from_pattern(fields()[name]["constraints"]["pattern"]))


@cache
def pattern(name: str) -> re.Pattern:
    return re.compile(fields()[name]["constraints"]["pattern"])


def max_length(name: str) -> int | None:
    return fields()[name].get("constraints", {}).get("maxLength")


def normalise_label(text: str) -> str:
    """'Code Postal ', 'code-postal' and 'CODE_POSTAL' all give 'code_postal'; accents are dropped."""
    text = unicodedata.normalize("NFKD", (text or "").replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).strip().strip('"').strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


def normalise_value(text: str) -> str:
    """For matching a value of a closed list: case, accents and spacing do not matter."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(text.replace("’", "'").split())
