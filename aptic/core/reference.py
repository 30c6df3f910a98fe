"""Helpers shared by the loaders of reference data (territories, vocabulary)."""

import hashlib
from collections.abc import Iterable
from pathlib import Path

from .models import ReferenceDataset


def files_checksum(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_loaded(name: str, checksum: str) -> bool:
    return ReferenceDataset.objects.filter(name=name, checksum=checksum).exists()


def mark_loaded(name: str, checksum: str, rows: int) -> None:
    ReferenceDataset.objects.update_or_create(name=name, defaults={"checksum": checksum, "rows": rows})
