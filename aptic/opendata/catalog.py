"""The datasets the open-data page lists (ADR 0051): one entry each, in the order shown. An app that
publishes a dataset under /opendata/ adds its entry to CATALOG; the page and its tests read it."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Max
from django.urls import reverse

from aptic.places.selectors import public_places

from . import standard
from .publishing import LICENCE, latest_publication
from .statistics import PLACES_BY_COMMUNE, USES_BY_COMMUNE, USES_BY_PUBLIC, Table

NIGHTLY = "Quotidienne (chaque nuit)"


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    kwargs: dict = field(default_factory=dict)
    format: str = ""  # shown beside the label: "CSV", "JSON"

    def url(self) -> str:
        return reverse(self.url_name, kwargs=self.kwargs)


@dataclass(frozen=True)
class Dataset:
    slug: str  # the id of its section on the page
    title: str
    description: str
    frequency: str
    files: tuple[Link, ...]
    schema_label: str
    schema_url: Callable[[], str]
    last_update: Callable[[], datetime.datetime | datetime.date | None]
    licence: dict = field(default_factory=lambda: LICENCE)


def _places_updated():
    return public_places().aggregate(last=Max("updated_at"))["last"]


def _published():
    return latest_publication().generated_at


def _statistics(table: Table) -> Dataset:
    return Dataset(
        slug=table.name,
        title=table.title,
        description=table.description,
        frequency=NIGHTLY,
        files=(
            Link("Données", "opendata:statistics_csv", {"name": table.name}, "CSV"),
            Link("Données", "opendata:statistics_xlsx", {"name": table.name}, "XLSX"),
            Link("Data Package (tous les jeux statistiques)", "opendata:statistics_datapackage", format="JSON"),
        ),
        schema_label="Schéma (Table Schema)",
        schema_url=lambda: reverse("opendata:statistics_schema", kwargs={"name": table.name}),
        last_update=_published,
    )


CATALOG: list[Dataset] = [
    Dataset(
        slug="lieux",
        title="Lieux de médiation numérique #APTIC",
        description="Les lieux publiés des structures labellisées #APTIC, au standard national des lieux de "
        "médiation numérique : adresse, horaires, services, publics, modalités d'accès.",
        frequency="En continu (données du moment de la demande)",
        files=(
            Link("Données", "opendata:places_csv", format="CSV"),
            Link("Données", "opendata:places_xlsx", format="XLSX"),
            Link("Données", "opendata:places_json", format="JSON"),
        ),
        schema_label="Standard de données des lieux de médiation numérique",
        schema_url=lambda: standard.SCHEMA_URL,
        last_update=_places_updated,
    ),
    _statistics(USES_BY_COMMUNE),
    _statistics(USES_BY_PUBLIC),
    _statistics(PLACES_BY_COMMUNE),
    Dataset(
        slug="data-inclusion",
        title="Structures et services au schéma data·inclusion",
        description="Structures labellisées #APTIC (nom, SIRET, réseaux porteurs, date de mise à jour) et services de "
        "médiation numérique de leurs lieux publiés (thématiques, publics, frais, modes d'accueil et de mobilisation, "
        "adresse, horaires), au schéma data·inclusion (v1).",
        frequency="En continu (données du moment de la demande)",
        files=(
            Link("Structures", "opendata:datainclusion_structures", format="JSON"),
            Link("Services", "opendata:datainclusion_services", format="JSON"),
        ),
        schema_label="Schéma data·inclusion v1",
        schema_url=lambda: "https://schema.data.gouv.fr/gip-inclusion/data-inclusion-schema/",
        last_update=_places_updated,
    ),
]
