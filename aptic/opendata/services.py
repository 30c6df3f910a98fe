"""Writes for open data: importing a file in the national standard, to onboard a whole network at once.

`places_import` reads a CSV file of the "Standard de données des lieux de médiation numérique"
(v1.0.2) and creates, through `providers.services.provider_create` and `places.services.place_create`
only, the structures (found by SIRET, else created pending qualification) and their places.

All or nothing. Every row is checked, and every row without an error is written, inside one
transaction, each row in its own savepoint, so that the report lists the errors of every row,
including those only the services or the database can see (a name already used by the structure,
a postal code that is not the commune's). If any row has an error, or for a dry run, the whole
transaction is rolled back: nothing is written. Otherwise it commits. A row whose place was
already imported (same structure, `external_id` = the row's `id`) is skipped, so importing the
same file twice is harmless.

Decisions:
- `pivot` must be a SIRET (14 digits, Luhn key checked by `provider_create`). The standard also
  allows a SIREN (9 digits), an RNA number (W + 9 digits) or a RIDET; #APTIC identifies each
  structure by the SIRET of its establishment (unique on the platform, needed to invoice the
  subscription and to reimburse vouchers), so those rows are refused with a message saying where
  to find the SIRET. The example file of the standard has a valid SIRET.
- The structure created is named after `structure_parente`, else after the place; it is pending,
  with the commune of its first place and, when the typology says so, its legal category.
- Coordinates are optional: missing ones take the commune's centre. Coordinates out of range
  (latitude beyond ±90, longitude beyond ±180, not a number) are errors. Possible coordinates that
  `places.services.clean_coordinates` finds too far from the commune (swapped, a digit lost) are
  replaced by the commune's centre, with a warning on the row: the commune, resolved from its
  INSEE code, is the surer of the two, and one misplaced pin should not hold back a network's
  onboarding (the example file of the standard itself puts a place of Reims in Aix-en-Provence).
- `code_insee` designates a current commune; an unknown or former code falls back to the commune
  name and the postal code (which is how arrondissements of Paris, Lyon and Marseille resolve).
  A postal or INSEE code of 4 digits gets back the leading zero a spreadsheet removed.
- Only the first e-mail of `courriels` and the first URL of `site_web` are kept (a place has one).
- `date_maj` is checked (YYYY-MM-DD, or DD/MM/YYYY as spreadsheets rewrite it) but not kept: the
  place's own modification date is what the export publishes.
- Columns #APTIC does not keep (frais_a_charge, derived from offers; prise_en_charge_specifique,
  dispositif_programmes_nationaux, formations_labels, autres_formations_labels) are read and
  ignored, with one warning when the file fills them.
"""

import datetime
import math
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aptic.accounts.models import LegalCategory, Organisation, OrganisationKind
from aptic.audit.services import AuditAction, audit_record
from aptic.core.errors import DomainError
from aptic.core.phones import clean_phone
from aptic.places import services as places
from aptic.providers import services as providers
from aptic.territories.models import Commune
from aptic.territories.normalise import normalise_name
from aptic.vocabulary.models import AccessMode, PlaceTypology, Public, ServiceCategory, SupportMode

from . import reading, standard
from .reading import thousands

CREATED, TO_CREATE, SKIPPED, ERROR = "created", "to_create", "skipped", "error"
STATUS_LABELS = {CREATED: "Créé", TO_CREATE: "À créer", SKIPPED: "Déjà importé", ERROR: "Erreur"}

# Field names of our services (DomainError.field) → column of the standard, for the messages.
COLUMN_OF_FIELD = {
    "external_id": "id",
    "siret": "pivot",
    "name": "nom",
    "commune": "commune",
    "postal_code": "code_postal",
    "address": "adresse",
    "address_complement": "complement_adresse",
    "latitude": "latitude",
    "longitude": "longitude",
    "typologies": "typologie",
    "phone": "telephone",
    "email": "courriels",
    "website": "site_web",
    "opening_hours": "horaires",
    "summary": "presentation_resume",
    "description": "presentation_detail",
    "is_mobile": "itinerance",
    "service_categories": "services",
    "publics": "publics_specifiquement_adresses",
    "access_modes": "modalites_acces",
    "support_modes": "modalites_accompagnement",
    "acceslibre_url": "fiche_acces_libre",
    "booking_url": "prise_rdv",
}
# Relation of place_create → (column, vocabulary model).
VOCABULARIES = {
    "typologies": ("typologie", PlaceTypology),
    "service_categories": ("services", ServiceCategory),
    "publics": ("publics_specifiquement_adresses", Public),
    "access_modes": ("modalites_acces", AccessMode),
    "support_modes": ("modalites_accompagnement", SupportMode),
}
NOT_KEPT = (
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
)
# What a typology says of the legal nature of the structure, for the providers created.
LEGAL_CATEGORY_OF_TYPOLOGY = {
    "ASSO": LegalCategory.ASSOCIATION,
    "ASSO_CHOMEUR": LegalCategory.ASSOCIATION,
    "AI": LegalCategory.ASSOCIATION,
    "CCAS": LegalCategory.CCAS,
    "CIAS": LegalCategory.CCAS,
    "MUNI": LegalCategory.COMMUNE,
    "CD": LegalCategory.DEPARTEMENT,
    "DEPT": LegalCategory.DEPARTEMENT,
    "CC": LegalCategory.EPCI,
    "EPCI": LegalCategory.EPCI,
    "REG": LegalCategory.REGION,
    "CCONS": LegalCategory.CHAMBER,
    "ETABL_PUB": LegalCategory.PUBLIC_BODY,
}
POSTAL_CODE = re.compile(r"^\d{5}$")
INSEE_CODE = re.compile(r"^([013-9]\d|2[AB1-9])\d{3}$")
MAX_LENGTHS = {"id": 100, "nom": 200, "adresse": 250, "complement_adresse": 250}
MAX_CELL = 10_000  # characters, for the other columns (a detailed presentation is a page at most)


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


@dataclass
class RowResult:
    """One place line of the file: what happened to it, and why, in French."""

    line: int
    identifier: str = ""
    name: str = ""
    status: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "")

    @property
    def messages(self) -> list[str]:
        return self.errors + self.warnings

    def error(self, column: str | None, message: str) -> None:
        self.errors.append(self._format(column, message))
        self.status = ERROR

    def warn(self, column: str | None, message: str) -> None:
        self.warnings.append(self._format(column, message))

    def _format(self, column: str | None, message: str) -> str:
        where = f"Ligne {self.line}, colonne {column}" if column else f"Ligne {self.line}"
        return f"{where} : {message}"


@dataclass
class ImportReport:
    filename: str
    dry_run: bool = False
    encoding: str = ""
    delimiter: str = ""
    rows: list[RowResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the file as a whole
    providers_created: int = 0
    providers_found: int = 0
    places_created: int = 0
    rows_skipped: int = 0
    # The counts are of what was created; for a dry run or a file in error, of what would have been.

    @property
    def delimiter_name(self) -> str:
        return {",": "virgule", ";": "point-virgule", "\t": "tabulation"}.get(self.delimiter, self.delimiter)

    @property
    def rows_total(self) -> int:
        return len(self.rows)

    @property
    def rows_in_error(self) -> int:
        return sum(1 for row in self.rows if row.status == ERROR)

    @property
    def has_errors(self) -> bool:
        return self.rows_in_error > 0

    @property
    def errors(self) -> list[str]:
        return [message for row in self.rows for message in row.errors]

    @property
    def written(self) -> bool:
        """True when the import changed the database."""
        return not self.has_errors and not self.dry_run and (self.places_created or self.providers_created) > 0

    @property
    def summary(self) -> str:
        total = _plural(self.rows_total, "ligne", "lignes")
        if self.has_errors:
            return (
                f"Aucun lieu importé : {_plural(self.rows_in_error, 'ligne', 'lignes')} sur {self.rows_total} "
                f"{'est' if self.rows_in_error == 1 else 'sont'} en erreur. Rien n'a été enregistré : corrigez le "
                "fichier, puis importez-le de nouveau."
            )
        places = _plural(self.places_created, "lieu", "lieux")
        skipped = _plural(self.rows_skipped, "déjà importé", "déjà importés")
        created = _plural(self.providers_created, "structure", "structures")
        found = _plural(self.providers_found, "structure déjà inscrite", "structures déjà inscrites")
        if self.dry_run:
            return (
                f"Vérification réussie, {total} : {places} à créer, {skipped} ; {created} à créer, {found}. "
                "Rien n'a été enregistré."
            )
        return (
            f"Import réussi, {total} : {places} {'créé' if self.places_created <= 1 else 'créés'}, {skipped} ; "
            f"{created} {'créée' if self.providers_created <= 1 else 'créées'} (en attente de qualification), "
            f"{found}."
        )


@dataclass
class _Candidate:
    """A row that passed the checks made before writing."""

    siret: str
    provider_name: str
    commune: Commune
    place: dict


class _Rollback(Exception):
    pass


class _Lookups:
    """Vocabulary and communes, read once per import."""

    def __init__(self, *, all_communes: bool = False):
        self.terms = {
            relation: {
                standard.normalise_value(term.standard_value): term for term in model.objects.exclude(standard_value="")
            }
            for relation, (_, model) in VOCABULARIES.items()
        }
        self._by_insee: dict[str, Commune | None] = {}
        self._by_postal_code: dict[str, list[Commune]] = {}
        if all_communes:  # a file of the whole country (opendata.reference): one query, not one per commune
            self._by_insee = {commune.insee_code: commune for commune in Commune.objects.filter(is_current=True)}

    def commune(self, insee_code: str, postal_code: str, name: str) -> Commune | None:
        if insee_code:
            if insee_code not in self._by_insee:
                self._by_insee[insee_code] = Commune.objects.filter(insee_code=insee_code, is_current=True).first()
            if self._by_insee[insee_code]:
                return self._by_insee[insee_code]
        if not (postal_code and name):
            return None
        if postal_code not in self._by_postal_code:
            self._by_postal_code[postal_code] = list(
                Commune.objects.filter(is_current=True, postal_code_rows__code=postal_code).distinct()
            )
        candidates = self._by_postal_code[postal_code]
        wanted = normalise_name(name)
        exact = [commune for commune in candidates if commune.search_name == wanted]
        if len(exact) == 1:
            return exact[0]
        # "Paris 15e Arrondissement", "Lyon 3e", "Marseille 1er": the commune is Paris, Lyon, Marseille.
        within = [commune for commune in candidates if wanted.startswith(commune.search_name + " ")]
        return within[0] if len(within) == 1 else None


def _split(raw: str) -> list[str]:
    return [part.strip() for part in (raw or "").split(standard.SEPARATOR) if part.strip()]


def _restore_zero(code: str) -> str:
    """A spreadsheet reads 01000 as the number 1000; the lost zero comes back."""
    return "0" + code if re.fullmatch(r"\d{4}", code) else code


def _number(raw: str) -> float:
    value = raw.strip().replace(" ", "")
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")  # French decimal comma
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(raw)
    return number


def _url(raw: str) -> str:
    parts = _split(raw)
    value = parts[0] if parts else ""
    return "https://" + value if value.lower().startswith("www.") else value


def _date(raw: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(raw.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(raw)


def clean_pivot(raw: str) -> str:
    """The SIRET of the row, or a DomainError (field "siret") saying what the pivot is instead."""
    value = re.sub(r"[\s.\-]", "", raw or "")
    if re.fullmatch(r"\d+(,\d+)?E\+\d+", value, re.IGNORECASE):
        raise DomainError(
            f"« {raw[:30]} » : le tableur a écrit le SIRET en notation scientifique et en a perdu des chiffres. "
            "Mettez la colonne au format texte et saisissez de nouveau les 14 chiffres.",
            field="siret",
        )
    if re.fullmatch(r"\d{9}", value):
        raise DomainError(
            f"« {value} » est un numéro SIREN : #APTIC identifie chaque structure par le SIRET de son établissement "
            "(14 chiffres), à retrouver sur annuaire-entreprises.data.gouv.fr.",
            field="siret",
        )
    if re.fullmatch(r"W\d{9}", value, re.IGNORECASE):
        raise DomainError(
            f"« {value} » est un numéro RNA : #APTIC identifie chaque structure par son SIRET (14 chiffres), "
            "nécessaire à la facturation et aux remboursements. Une association sans SIRET peut en demander un à "
            "l'INSEE.",
            field="siret",
        )
    return providers.clean_siret(value)


def _check(result: RowResult, column: str, check, *args):
    """Run a check of the places services; its DomainError becomes a message of the row."""
    try:
        return check(*args)
    except DomainError as exc:
        result.error(COLUMN_OF_FIELD.get(exc.field, column), exc.message)
        return None


def _terms(result: RowResult, lookups: _Lookups, relation: str, raw: str) -> list | None:
    column, _ = VOCABULARIES[relation]
    found, unknown = [], []
    for value in _split(raw):
        term = lookups.terms[relation].get(standard.normalise_value(value))
        (found if term else unknown).append(term or value)
    if unknown:
        listed = ", ".join(f"« {value[:60]} »" for value in unknown[:5])
        if relation == "typologies":
            hint = "les codes sont ceux des typologies de structures de data·inclusion, par exemple TIERS_LIEUX, ASSO."
        else:
            allowed = sorted(standard.enumeration(column))
            hint = "les valeurs possibles sont : " + " ; ".join(allowed) + "."
        result.error(column, f"{'Valeurs inconnues' if len(unknown) > 1 else 'Valeur inconnue'} {listed} : {hint}")
    return list(dict.fromkeys(found)) or None


def _parse(row: reading.Row, result: RowResult, lookups: _Lookups, seen_ids: dict[str, int]) -> _Candidate | None:
    """Every check that needs no writing; the messages go to `result`."""
    values = row.values

    def value(column: str) -> str:
        return values.get(column, "")

    if row.extra_cells:
        result.error(
            None,
            f"{_plural(row.extra_cells, 'valeur', 'valeurs')} de plus que de colonnes dans l'en-tête : un séparateur "
            "ou un guillemet en trop ?",
        )
    for column in standard.required_columns():
        if not value(column):
            result.error(column, "Cette valeur est obligatoire.")
    for column, cell in values.items():
        limit = MAX_LENGTHS.get(column, MAX_CELL)
        if len(cell) > limit:
            result.error(column, f"La valeur compte {thousands(len(cell))} caractères : {thousands(limit)} au plus.")

    identifier = value("id")
    if identifier:
        if identifier in seen_ids:
            result.error("id", f"L'identifiant « {identifier[:60]} » figure déjà ligne {seen_ids[identifier]}.")
        else:
            seen_ids[identifier] = row.line
    siret = _check(result, "pivot", clean_pivot, value("pivot")) if value("pivot") else None

    postal_code = _restore_zero(value("code_postal"))
    if postal_code and not POSTAL_CODE.match(postal_code):
        result.error("code_postal", f"« {postal_code[:20]} » n'est pas un code postal (5 chiffres).")
        postal_code = ""
    insee_code = _restore_zero(value("code_insee")).upper()
    if insee_code and not INSEE_CODE.match(insee_code):
        result.error("code_insee", f"« {insee_code[:20]} » n'est pas un code INSEE de commune (5 caractères).")
        insee_code = ""
    commune = None
    if value("commune") and (postal_code or insee_code):
        commune = lookups.commune(insee_code, postal_code, value("commune"))
        if commune is None:
            codes = ", ".join(
                part
                for part in (
                    f"code postal {postal_code}" if postal_code else "",
                    insee_code and f"code INSEE {insee_code}",
                )
                if part
            )
            result.error("commune", f"Aucune commune actuelle ne correspond à « {value('commune')[:60]} » ({codes}).")

    latitude = longitude = None
    for column in ("latitude", "longitude"):
        if value(column):
            try:
                number = _number(value(column))
            except ValueError:
                result.error(column, f"« {value(column)[:30]} » n'est pas un nombre en degrés décimaux (ex. 45.4241).")
                continue
            bound = 90 if column == "latitude" else 180
            if not -bound <= number <= bound:
                result.error(
                    column, f"La {column} {number:g} est impossible : elle est comprise entre -{bound} et {bound}."
                )
            elif column == "latitude":
                latitude = number
            else:
                longitude = number
    if bool(value("latitude")) != bool(value("longitude")):
        result.error(
            "latitude",
            "Indiquez la latitude et la longitude, ou aucune des deux (la position de la commune est alors utilisée).",
        )
    if commune is not None and latitude is not None and longitude is not None:
        try:
            places.clean_coordinates(latitude, longitude, commune)
        except DomainError as exc:
            # The numbers are possible (checked above): the point is too far from the commune.
            result.warn("latitude", f"{exc.message} Le lieu est placé au centre de {commune.name}.")
            latitude = longitude = None

    relations = {
        relation: _terms(result, lookups, relation, value(column)) for relation, (column, _) in VOCABULARIES.items()
    }

    mobility = {standard.normalise_value(v) for v in _split(value("itinerance"))}
    known_mobility = {standard.normalise_value(standard.MOBILE), standard.normalise_value(standard.FIXED)}
    if mobility - known_mobility:
        result.error("itinerance", f"« {value('itinerance')[:40]} » : indiquez {standard.MOBILE} ou {standard.FIXED}.")

    if value("date_maj"):
        try:
            _date(value("date_maj"))
        except ValueError:
            result.error("date_maj", f"« {value('date_maj')[:20]} » n'est pas une date (AAAA-MM-JJ, ex. 2024-04-02).")

    summary = value("presentation_resume")
    limit = standard.max_length("presentation_resume")
    if len(summary) > limit:
        result.error(
            "presentation_resume", f"La présentation résumée compte {len(summary)} caractères : {limit} au plus."
        )
    emails = _split(value("courriels"))
    email = emails[0] if emails else ""
    website, booking_url, acceslibre_url = (
        _url(value("site_web")),
        _url(value("prise_rdv")),
        _url(value("fiche_acces_libre")),
    )
    departement = commune.departement_id if commune else ""
    _check(result, "horaires", places.clean_opening_hours, value("horaires"))
    _check(result, "telephone", clean_phone, value("telephone"), departement)
    _check(result, "courriels", places.clean_email, email)
    _check(result, "site_web", places.clean_url, website, "website")
    _check(result, "prise_rdv", places.clean_url, booking_url, "booking_url")
    _check(result, "fiche_acces_libre", places.clean_url, acceslibre_url, "acceslibre_url")

    if result.errors:
        return None
    return _Candidate(
        siret=siret,
        provider_name=value("structure_parente") or value("nom"),
        commune=commune,
        place={
            "name": value("nom"),
            "address": value("adresse"),
            "address_complement": value("complement_adresse"),
            "commune": commune,
            "postal_code": postal_code,
            "latitude": latitude,
            "longitude": longitude,
            "is_mobile": standard.normalise_value(standard.MOBILE) in mobility,
            "opening_hours": value("horaires"),
            "summary": summary,
            "description": value("presentation_detail"),
            "acceslibre_url": acceslibre_url,
            "phone": value("telephone"),
            "email": email,
            "website": website,
            "booking_url": booking_url,
            "source": value("source")[:100],
            "external_id": value("id"),
            **relations,
        },
    )


def _provider_for(candidate: _Candidate, actor) -> tuple[Organisation, bool]:
    """The provider of this SIRET, found or created (pending); True when created."""
    existing = Organisation.objects.filter(kind=OrganisationKind.PROVIDER, siret=candidate.siret).first()
    if existing is not None:
        return existing, False
    typologies = candidate.place.get("typologies") or []
    legal_category = next(
        (
            LEGAL_CATEGORY_OF_TYPOLOGY[t.standard_value]
            for t in typologies
            if t.standard_value in LEGAL_CATEGORY_OF_TYPOLOGY
        ),
        LegalCategory.OTHER,
    )
    provider = providers.provider_create(
        name=candidate.provider_name,
        siret=candidate.siret,
        commune=candidate.commune,
        typology=typologies[0] if typologies else None,
        legal_category=legal_category,
        actor=actor,
    )
    return provider.organisation, True


@dataclass
class _Provider:
    organisation: Organisation
    imported: set[str]  # external ids of its places already on the platform


def _write(candidates: list[tuple[RowResult, _Candidate]], report: ImportReport, actor) -> None:
    """Create what the rows describe, inside the caller's transaction.

    provider_create and place_create are atomic (ADR 0003): nested here, each runs in a savepoint
    that is rolled back when it raises, so a row in error leaves nothing and the rows after it go on.
    """
    provider_of: dict[str, _Provider | DomainError] = {}
    for result, candidate in candidates:
        if candidate.siret not in provider_of:
            try:
                organisation, created = _provider_for(candidate, actor)
            except DomainError as exc:
                provider_of[candidate.siret] = exc
            except (IntegrityError, ValidationError):
                provider_of[candidate.siret] = DomainError(
                    "La structure de ce SIRET n'a pas pu être créée : elle vient peut-être d'être inscrite par "
                    "ailleurs. Relancez l'import.",
                    field="siret",
                )
            else:
                imported = set() if created else set(organisation.places.values_list("external_id", flat=True))
                provider_of[candidate.siret] = _Provider(organisation, imported)
                if created:
                    report.providers_created += 1
                else:
                    report.providers_found += 1
        provider = provider_of[candidate.siret]
        if isinstance(provider, DomainError):
            column = "structure_parente" if provider.field == "name" else COLUMN_OF_FIELD.get(provider.field, "pivot")
            result.error(column, provider.message)
            continue
        external_id = candidate.place["external_id"]
        if external_id in provider.imported:
            result.status = SKIPPED
            result.warn(
                None, f"déjà importé pour {provider.organisation.name} (identifiant « {external_id[:60]} ») : ignoré."
            )
            report.rows_skipped += 1
            continue
        try:
            places.place_create(provider=provider.organisation, **candidate.place)
        except DomainError as exc:
            result.error(COLUMN_OF_FIELD.get(exc.field), exc.message)
        except IntegrityError:
            result.error(None, "Ce lieu entre en conflit avec un lieu déjà enregistré pour cette structure.")
        else:
            result.status = CREATED
            report.places_created += 1


@transaction.atomic
def places_import(
    *, data: bytes, filename: str, actor=None, dry_run: bool = False, max_rows: int | None = None
) -> ImportReport:
    """Import the places of a CSV file in the national standard; all or nothing (see the module docstring).

    Raises DomainError (field "file") when the file itself is unusable; row errors are in the report.
    `max_rows` lowers the limit of places per file (reading.MAX_ROWS), e.g. for a web request.
    """
    table = reading.read_table(data, max_rows=max_rows)
    report = ImportReport(
        filename=filename, dry_run=dry_run, encoding=table.encoding, delimiter=table.delimiter, warnings=table.warnings
    )
    ignored = [column for column in NOT_KEPT if any(row.values.get(column) for row in table.rows)]
    if ignored:
        report.warnings.append(
            f"Colonnes du standard que #APTIC ne reprend pas, ignorées : {', '.join(ignored)}"
            + (" (les frais sont déduits des services proposés)." if "frais_a_charge" in ignored else ".")
        )
    lookups = _Lookups()
    seen_ids: dict[str, int] = {}
    candidates = []
    for row in table.rows:
        result = RowResult(line=row.line, identifier=row.values.get("id", ""), name=row.values.get("nom", ""))
        report.rows.append(result)
        candidate = _parse(row, result, lookups, seen_ids)
        if candidate is not None:
            candidates.append((result, candidate))
    try:
        with transaction.atomic():
            _write(candidates, report, actor)
            if report.has_errors or dry_run:
                raise _Rollback
            audit_record(
                actor=actor,
                action=AuditAction.PLACES_IMPORTED,
                details={
                    "file": filename,
                    "places_created": report.places_created,
                    "providers_created": report.providers_created,
                    "rows": report.rows_total,
                },
            )
    except _Rollback:
        # Nothing was kept: the rows that passed are only "to create".
        for result in report.rows:
            if result.status == CREATED:
                result.status = TO_CREATE
    return report


# The open statistics' generations (ADR 0051), written by their own module.
from .publishing import statistics_publish  # noqa: E402,F401
