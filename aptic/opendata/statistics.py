"""The statistics published as open data (ADR 0051): what each table holds (its Table Schema) and its
rows, computed from the usage facts (aptic.reporting.selectors.usage) and the known places.

Uses are counted over whole months only, up to the last one ended: a month still running would
change every night, and two nights' files differenced would give one day's uses. A cell (a row's
figures) under MIN_PUBLISHED_VOUCHERS vouchers is blanked, and so is a second one wherever the
blank could be found again by difference (aptic.core.disclosure.suppressed): the uses by commune and
those by département describe the same vouchers, so in each month and département their sums are
equal, which makes the cells of one month and département, in both files, one group."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from aptic.core import tabular
from aptic.core.disclosure import MIN_PUBLISHED_VOUCHERS, suppressed
from aptic.distribution.models import BeneficiaryCategory
from aptic.places.selectors import APTIC, REFERENCE, known_places
from aptic.reporting.selectors import usage
from aptic.territories.models import Commune, Departement
from aptic.vocabulary.models import PlaceTypology, ServiceCategory
from aptic.vouchers.rules import CANCEL_WINDOW

PUBLISHED, SECRET = "diffuse", "secret_statistique"
UNKNOWN = "Non renseignée"
NO_HANDOUT = "Chèque sans remise enregistrée"
_COMMUNE = r"^([013-9][0-9]|2[AB1-9])[0-9]{3}$"
_DEPARTEMENT = r"^([013-8][0-9]|2[AB1-9]|9[0-5]|97[1-8]|98[0-9])$"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: str
    description: str
    constraints: dict = field(default_factory=dict)

    def schema(self) -> dict:
        described = {"name": self.name, "type": self.type, "title": self.title, "description": self.description}
        if self.type == "number":
            described["decimalChar"] = "."
        if self.constraints:
            described["constraints"] = dict(self.constraints)
        return described


@dataclass(frozen=True)
class Table:
    name: str  # the file's stem and the data package's resource name
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]

    def schema(self) -> dict:
        return {
            "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "fields": [f.schema() for f in self.fields],
            "primaryKey": list(self.primary_key),
            "missingValues": [""],
        }

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


def _required(**more) -> dict:
    return {"required": True, **more}


MONTH = Field("mois", "yearmonth", "Mois", "Mois des utilisations (AAAA-MM).", _required())
COMMUNE = Field(
    "code_commune", "string", "Code de la commune", "Code officiel géographique (INSEE) de la commune du lieu.",
    _required(pattern=_COMMUNE),
)  # fmt: skip
COMMUNE_NAME = Field("nom_commune", "string", "Commune", "Nom de la commune.", _required())
DEPARTEMENT = Field(
    "code_departement", "string", "Code du département", "Code officiel géographique (INSEE) du département.",
    _required(pattern=_DEPARTEMENT),
)  # fmt: skip
CATEGORY = Field(
    "categorie_service", "string", "Catégorie de service",
    "Catégorie de service du standard national des lieux de médiation numérique.", _required(),
)  # fmt: skip
# A published count is never under the threshold: the schema itself says so, and checks it.
USED = Field(
    "cheques_utilises", "integer", "Chèques utilisés",
    f"Nombre de chèques utilisés (annulations déduites). Vide sous le secret statistique : moins de "
    f"{MIN_PUBLISHED_VOUCHERS} chèques, ou case masquée pour qu'une autre ne puisse être retrouvée.",
    {"minimum": MIN_PUBLISHED_VOUCHERS},
)  # fmt: skip
VALUE = Field(
    "valeur_euros", "number", "Valeur utilisée (euros)", "Valeur faciale des chèques utilisés, en euros.",
    {"minimum": 0},
)  # fmt: skip
SERVICES = Field(
    "services", "integer", "Services payés", "Nombre de services payés avec ces chèques (un paiement peut en "
    "réunir plusieurs).", {"minimum": 0},
)  # fmt: skip
STATUS = Field(
    "statut_diffusion", "string", "Statut de diffusion",
    f"« {PUBLISHED} » : chiffres publiés ; « {SECRET} » : chiffres masqués (secret statistique).",
    _required(enum=[PUBLISHED, SECRET]),
)  # fmt: skip

USES_BY_COMMUNE = Table(
    "utilisations-communes",
    "Utilisations mensuelles des chèques par commune, catégorie de service et typologie de lieu",
    "Chèques #APTIC utilisés chaque mois, par commune du lieu où le service a été payé, catégorie du service "
    "et typologie du lieu (la première du lieu). Mois achevés uniquement.",
    (
        MONTH, COMMUNE, COMMUNE_NAME, DEPARTEMENT, CATEGORY,
        Field("typologie_lieu", "string", "Typologie du lieu", "Typologie du lieu (standard national).", _required()),
        USED, VALUE, SERVICES, STATUS,
    ),
    ("mois", "code_commune", "categorie_service", "typologie_lieu"),
)  # fmt: skip
USES_BY_PUBLIC = Table(
    "utilisations-departements-publics",
    "Utilisations mensuelles des chèques par département et catégorie de public",
    "Chèques #APTIC utilisés chaque mois, par département du lieu et catégorie de public notée à la remise du "
    "chèque. Mois achevés uniquement.",
    (
        MONTH, DEPARTEMENT,
        Field("nom_departement", "string", "Département", "Nom du département.", _required()),
        Field("public", "string", "Public", "Catégorie de public notée à la remise du chèque.", _required()),
        USED, VALUE, SERVICES, STATUS,
    ),
    ("mois", "code_departement", "public"),
)  # fmt: skip
PLACES_BY_COMMUNE = Table(
    "lieux-communes-categories",
    "Lieux de médiation numérique par commune et catégorie de service",
    "Lieux connus de la plateforme qui proposent chaque catégorie de service, par commune : lieux #APTIC "
    "(publiés, de structures labellisées) et lieux de référence (offre existante hors #APTIC). Un lieu "
    "compte dans chacune de ses catégories.",
    (
        COMMUNE, COMMUNE_NAME, DEPARTEMENT, CATEGORY,
        Field("lieux_aptic", "integer", "Lieux #APTIC", "Lieux #APTIC.", _required(minimum=0)),
        Field("lieux_reference", "integer", "Lieux de référence", "Lieux de référence.", _required(minimum=0)),
        Field("lieux_total", "integer", "Lieux", "Lieux #APTIC et de référence.", _required(minimum=0)),
    ),
    ("code_commune", "categorie_service"),
)  # fmt: skip
TABLES = {table.name: table for table in (USES_BY_COMMUNE, USES_BY_PUBLIC, PLACES_BY_COMMUNE)}


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def published_months(today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the whole months from the first use to the last month that can no longer
    change: a use stays cancellable for CANCEL_WINDOW, and its cancellation counts on the use's day,
    so a month is published once that window after its last day has passed (never revised after)."""
    today = today or timezone.localdate()
    this_month = (today - CANCEL_WINDOW - datetime.timedelta(days=1)).replace(day=1)
    days = [row["day"] for row in usage(group_by=["day"], day__lt=this_month) if row["used"]]
    if not days:
        return []
    months, month = [], min(days).replace(day=1)
    while month < this_month:
        months.append(month)
        month = _next_month(month)
    return months


_USE_MEASURES = ("used", "used_cents", "services")


def _uses(months, group_by: list[str]) -> dict:
    """(month, *group_by values) → the use measures, for every row with a place (hence a département)."""
    cells = {}
    for month in months:
        for row in usage(group_by=group_by, day__gte=month, day__lt=_next_month(month)):
            if row["departement"] and any(row[m] for m in _USE_MEASURES):
                cells[(month, *(row[name] for name in group_by))] = {m: row[m] for m in _USE_MEASURES}
    return cells


def _names(model, key: str, values) -> dict:
    return dict(model.objects.filter(**{f"{key}__in": set(values)}).values_list(key, "name"))


def _labels(model) -> dict:
    return dict(model.objects.values_list("pk", "label"))


def _measures(measures: dict, hidden: bool) -> list:
    if hidden:
        return [None, None, None, SECRET]
    return [measures["used"], tabular.amount(measures["used_cents"]), measures["services"], PUBLISHED]


def uses_tables(today: datetime.date | None = None) -> dict[str, list[list]]:
    """The rows of the two tables of uses, small counts blanked in both together."""
    months = published_months(today)
    by_commune = _uses(months, ["commune", "departement", "category_id", "typology_id"])
    by_public = _uses(months, ["departement", "public"])
    # Every public in every month and département with uses, a zero as any small count: a group with
    # one public alone would tell the public of every voucher in its blanked commune cells.
    for month, departement in {(month, departement) for month, departement, _ in by_public}:
        for public in (*BeneficiaryCategory.values, ""):
            by_public.setdefault((month, departement, public), dict.fromkeys(_USE_MEASURES, 0))
    cells = {("commune", *key): m["used"] for key, m in by_commune.items()}
    cells |= {("public", *key): m["used"] for key, m in by_public.items()}
    groups = defaultdict(list)  # (month, département) → its cells in both tables
    for cell in cells:
        groups[(cell[1], cell[3] if cell[0] == "commune" else cell[2])].append(cell)
    hidden = suppressed(cells, groups.values())

    communes = _names(Commune, "insee_code", (key[1] for key in by_commune))
    departements = _names(Departement, "code", (key[1] for key in by_public))
    categories, typologies = _labels(ServiceCategory), _labels(PlaceTypology)
    publics = dict(BeneficiaryCategory.choices) | {"": NO_HANDOUT}
    commune_rows = [
        [f"{month:%Y-%m}", commune, communes.get(commune, commune), departement,
         categories.get(category, UNKNOWN), typologies.get(typology, UNKNOWN),
         *_measures(measures, ("commune", month, commune, departement, category, typology) in hidden)]
        for (month, commune, departement, category, typology), measures in by_commune.items()
    ]  # fmt: skip
    public_rows = [
        [f"{month:%Y-%m}", departement, departements.get(departement, departement), publics.get(public, public),
         *_measures(measures, ("public", month, departement, public) in hidden)]
        for (month, departement, public), measures in by_public.items()
    ]  # fmt: skip
    return {
        USES_BY_COMMUNE.name: sorted(commune_rows, key=lambda row: row[:6]),
        USES_BY_PUBLIC.name: sorted(public_rows, key=lambda row: row[:4]),
    }


def places_table() -> list[list]:
    counts = defaultdict(lambda: {APTIC: 0, REFERENCE: 0})
    for place in known_places():
        if place.commune_id:
            for category in place.category_ids or (None,):
                counts[(place.commune_id, category)][place.kind] += 1
    communes = {
        code: (name, departement)
        for code, name, departement in Commune.objects.filter(insee_code__in={c for c, _ in counts}).values_list(
            "insee_code", "name", "departement_id"
        )
    }
    categories = _labels(ServiceCategory)
    rows = [
        [commune, *communes[commune], categories.get(category, UNKNOWN), aptic, reference, aptic + reference]
        for (commune, category), (aptic, reference) in ((key, (n[APTIC], n[REFERENCE])) for key, n in counts.items())
    ]
    return sorted(rows, key=lambda row: row[:4])


def all_tables(today: datetime.date | None = None) -> dict[str, list[list]]:
    return uses_tables(today) | {PLACES_BY_COMMUNE.name: places_table()}
