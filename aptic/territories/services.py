"""Loading the territories from the files committed under territories/data/ (see scripts/territories)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from aptic.core import reference

from .models import Commune, Departement, Epci, PostalCode, Region
from .normalise import normalise_name

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("regions.csv", "departements.csv", "epcis.csv", "communes.csv")
DATASET = "territories"


@dataclass
class LoadReport:
    loaded: bool
    regions: int = 0
    departements: int = 0
    epcis: int = 0
    communes: int = 0
    retired: int = 0


def _read(data_dir: Path, name: str) -> list[dict]:
    with open(data_dir / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _upsert(model, objects: list, fields: list[str]) -> None:
    model.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=[model._meta.pk.name],
        update_fields=fields,
    )


@transaction.atomic
def territories_load(*, data_dir: Path = DATA_DIR, force: bool = False) -> LoadReport:
    """Insert or update every territory; communes no longer in the files are kept but retired."""
    checksum = reference.files_checksum(data_dir / name for name in FILES)
    if not force and reference.is_loaded(DATASET, checksum):
        return LoadReport(loaded=False, communes=Commune.objects.filter(is_current=True).count())

    regions = [Region(code=r["code"], name=r["name"]) for r in _read(data_dir, "regions.csv")]
    _upsert(Region, regions, ["name"])
    departements = [
        Departement(code=r["code"], name=r["name"], region_id=r["region_code"])
        for r in _read(data_dir, "departements.csv")
    ]
    _upsert(Departement, departements, ["name", "region"])
    epcis = [Epci(siren=r["siren"], name=r["name"], nature=r["nature"]) for r in _read(data_dir, "epcis.csv")]
    _upsert(Epci, epcis, ["name", "nature"])

    rows = _read(data_dir, "communes.csv")
    communes = [
        Commune(
            insee_code=r["insee_code"],
            name=r["name"],
            search_name=normalise_name(r["name"]),
            departement_id=r["departement_code"],
            region_id=r["region_code"],
            epci_id=r["epci_siren"] or None,
            population=int(r["population"]) if r["population"] else None,
            latitude=float(r["latitude"]),
            longitude=float(r["longitude"]),
            postal_codes=r["postal_codes"],
            is_current=True,
        )
        for r in rows
    ]
    # Retire everything, then the upsert brings back what is current: no huge IN (...) list.
    previously_current = set(Commune.objects.filter(is_current=True).values_list("insee_code", flat=True))
    Commune.objects.filter(is_current=True).update(is_current=False)
    _upsert(
        Commune,
        communes,
        [
            "name",
            "search_name",
            "departement",
            "region",
            "epci",
            "population",
            "latitude",
            "longitude",
            "postal_codes",
            "is_current",
        ],
    )
    retired_count = len(previously_current - {c.insee_code for c in communes})

    PostalCode.objects.all().delete()
    PostalCode.objects.bulk_create(
        [PostalCode(code=code, commune_id=c.insee_code) for c in communes for code in c.postal_codes.split()],
        batch_size=5000,
    )
    reference.mark_loaded(DATASET, checksum, len(communes))
    return LoadReport(
        loaded=True,
        regions=len(regions),
        departements=len(departements),
        epcis=len(epcis),
        communes=len(communes),
        retired=retired_count,
    )
