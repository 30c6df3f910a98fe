"""Reads for open data: the places of labelled providers, as rows of the national standard.

A row is a dict with every column of the standard, in its order. Values are strings, latitude and
longitude are numbers, and an empty value is None (an empty cell in CSV, null in JSON).

What is exported: the published places (`is_published`) of active organisations whose provider is
labelled today (`providers.selectors.labelled_providers`). Nothing about people: no contact person,
no member, no provider e-mail; only what the place itself shows to the public.

Speed: 10,000 places must export in a few seconds. Places are read in pages of `CHUNK` with
`.values()` (commune and provider joined in, keyset pagination on the id); for each page, the five
vocabulary relations and the offers are read in one query each, straight from the link tables for
the page's id range, and matched against the vocabulary loaded once (a few hundred terms). That is
the prefetch of `prefetch_related` without a model instance per link nor an IN list of 2,000 ids:
7 queries per 2,000 places, memory bounded by the page.
"""

import datetime
import functools
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from aptic.accounts.models import OrganisationKind
from aptic.places.models import OPEN_DATA_FIELDS, Offer, Place
from aptic.providers.dates import add_months
from aptic.providers.selectors import labelled_providers
from aptic.vocabulary.models import AccessMode, PlaceTypology, Public, ServiceCategory, SupportMode

from . import publishing, standard
from .statistics import PUBLISHED, USES_BY_PUBLIC

CHUNK = 2000
MONTHS = 12  # the diagnostic's window of published uses, ending with the files' last month (ADR 0060)
logger = logging.getLogger(__name__)

# Relation of Place → (column of the standard, vocabulary model).
RELATIONS = {
    "typologies": ("typologie", PlaceTypology),
    "service_categories": ("services", ServiceCategory),
    "publics": ("publics_specifiquement_adresses", Public),
    "access_modes": ("modalites_acces", AccessMode),
    "support_modes": ("modalites_accompagnement", SupportMode),
}
PLACE_VALUES = (
    "pk",
    *OPEN_DATA_FIELDS,
    "updated_at",
    "commune__name",
    "commune__insee_code",
    "commune__postal_codes",
    "provider__siret",
    "provider__name",
)


def exported_places() -> QuerySet[Place]:
    """Published places of active, labelled providers."""
    return Place.objects.filter(
        is_published=True,
        provider__kind=OrganisationKind.PROVIDER,
        provider__is_active=True,
        provider_id__in=labelled_providers().values("pk"),
    ).exclude(provider__siret="")  # `pivot` is required: a provider always has one, unless edited by hand


def _terms(model) -> dict[int, tuple[int, str]]:
    """id → (position, standard value) for the terms that have a value in the standard."""
    return {
        pk: (position, value)
        for pk, position, value in model.objects.exclude(standard_value="").values_list(
            "pk", "position", "standard_value"
        )
    }


def _allowed(column: str) -> frozenset[str] | None:
    """The closed list of a column, or None when the standard gives none (typologie)."""
    return standard.enumeration(column) if "pattern" in standard.fields()[column].get("constraints", {}) else None


class _Vocabulary:
    """The five vocabularies, loaded once per export."""

    def __init__(self):
        self.terms = {relation: _terms(model) for relation, (_, model) in RELATIONS.items()}
        # Terms a staff member gave a value outside the standard are left out: the file must validate.
        self.allowed = {relation: _allowed(column) for relation, (column, _) in RELATIONS.items()}

    def join(self, relation: str, ids) -> str | None:
        terms = self.terms[relation]
        allowed = self.allowed[relation]
        values = sorted({terms[pk] for pk in ids if pk in terms})
        kept = [value for _, value in values if allowed is None or value in allowed]
        return standard.SEPARATOR.join(kept) or None


def _links(relation: str, low: int, high: int) -> dict[int, list[int]]:
    """Term ids of the places whose id is in [low, high] (a range reads faster than a long IN list)."""
    field = Place._meta.get_field(relation)
    through = field.remote_field.through
    source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
    links = defaultdict(list)
    for place_id, term_id in through.objects.filter(**{f"{source}__gte": low, f"{source}__lte": high}).values_list(
        source, target
    ):
        links[place_id].append(term_id)
    return links


def _offers(low: int, high: int) -> dict[int, list[tuple]]:
    offers = defaultdict(list)
    rows = Offer.objects.filter(place_id__gte=low, place_id__lte=high).values_list(
        "place_id", "category_id", "price_cents", "is_active", "updated_at"
    )
    for place_id, *offer in rows:
        offers[place_id].append(offer)
    return offers


def _text(value: str) -> str | None:
    value = (value or "").strip()
    return value or None


def _number(value: float) -> float:
    return round(value, 6)


def _fees(active_offers) -> str | None:
    """Gratuit, Payant or both, from the prices of the active offers; nothing without offers."""
    fees = []
    if any(price == 0 for _, price, _, _ in active_offers):
        fees.append(standard.FREE)
    if any(price > 0 for _, price, _, _ in active_offers):
        fees.append(standard.PAID)
    return standard.SEPARATOR.join(fees) or None


def _row(place: dict, vocabulary: _Vocabulary, links: dict, offers: list) -> dict:
    active = [offer for offer in offers if offer[2]]
    categories = links["service_categories"].get(place["pk"], []) + [category for category, *_ in active]
    updated = max([place["updated_at"]] + [offer[3] for offer in offers])
    phone = place["phone"] if place["phone"] and standard.pattern("telephone").match(place["phone"]) else None
    summary = _text(place["summary"])
    limit = standard.max_length("presentation_resume")
    postal_codes = place["commune__postal_codes"].split()
    return {
        "id": f"{standard.ID_PREFIX}{place['pk']}",
        "pivot": place["provider__siret"],
        "nom": place["name"],
        "commune": place["commune__name"],
        "code_postal": place["postal_code"] or (postal_codes[0] if postal_codes else None),
        "code_insee": place["commune__insee_code"],
        # The standard requires a street address; a mobile place registered without one gives its commune.
        "adresse": _text(place["address"]) or place["commune__name"],
        "complement_adresse": _text(place["address_complement"]),
        "latitude": _number(place["latitude"]),
        "longitude": _number(place["longitude"]),
        "typologie": vocabulary.join("typologies", links["typologies"].get(place["pk"], [])),
        "telephone": phone,
        "courriels": _text(place["email"]),
        "site_web": _text(place["website"]),
        "horaires": _text(place["opening_hours"]),
        "presentation_resume": summary[:limit] if summary and limit else summary,
        "presentation_detail": _text(place["description"]),
        "source": standard.SOURCE,
        "itinerance": standard.MOBILE if place["is_mobile"] else standard.FIXED,
        "structure_parente": place["provider__name"],
        "date_maj": timezone.localdate(updated).isoformat(),
        "services": vocabulary.join("service_categories", categories),
        "publics_specifiquement_adresses": vocabulary.join("publics", links["publics"].get(place["pk"], [])),
        "prise_en_charge_specifique": None,
        "frais_a_charge": _fees(active),
        "dispositif_programmes_nationaux": None,
        "formations_labels": None,
        "autres_formations_labels": None,
        "modalites_acces": vocabulary.join("access_modes", links["access_modes"].get(place["pk"], [])),
        "modalites_accompagnement": vocabulary.join("support_modes", links["support_modes"].get(place["pk"], [])),
        "fiche_acces_libre": _text(place["acceslibre_url"]),
        "prise_rdv": _text(place["booking_url"]),
    }


def standard_rows(places: QuerySet[Place] | None = None, *, chunk: int = CHUNK) -> Iterator[dict]:
    """The rows of the export, ordered by place id (stable from one export to the next).

    Pages of `chunk` places by id (keyset: id > last id seen), then the links of the id range.
    """
    places = (exported_places() if places is None else places).order_by("pk").values(*PLACE_VALUES)
    vocabulary = _Vocabulary()
    last = 0
    while page := list(places.filter(pk__gt=last)[:chunk]):
        low, last = page[0]["pk"], page[-1]["pk"]
        links = {relation: _links(relation, low, last) for relation in RELATIONS}
        offers = _offers(low, last)
        for place in page:
            yield _row(place, vocabulary, links, offers.get(place["pk"], []))


# --- The published uses by public, read back (ADR 0057) ---------------------------------------


@dataclass(frozen=True)
class PublishedCells:
    """One public's cells of the by-public file in a set of months and départements: the published
    counts added up, and how many cells there were and how many blanked (secret statistique)."""

    vouchers: int = 0
    cells: int = 0
    secret: int = 0

    def __add__(self, other: "PublishedCells") -> "PublishedCells":
        return PublishedCells(self.vouchers + other.vouchers, self.cells + other.cells, self.secret + other.secret)


@dataclass(frozen=True)
class PublishedPublics:
    """The file `utilisations-departements-publics` of the served generation, added up over its
    months: département code → public (the file's label) → its cells."""

    first_month: datetime.date | None = None
    last_month: datetime.date | None = None
    departements: dict[str, dict[str, PublishedCells]] = field(default_factory=dict)

    def publics(self, departements=None) -> dict[str, PublishedCells]:
        """Each public's cells over these départements (every one when None)."""
        codes = self.departements if departements is None else departements
        total = defaultdict(PublishedCells)
        for code in codes:
            for public, cells in self.departements.get(code, {}).items():
                total[public] += cells
        return dict(total)


def published_publics() -> PublishedPublics:
    """The uses by département and public exactly as the open data publishes them: read from the
    served CSV, blanked cells left out (never from the usage facts, so that no figure derived from
    them says more than the file). Parsed once per generation and process: a generation never changes."""
    return served(USES_BY_PUBLIC.name, _published_publics, PublishedPublics())


def served(name: str, parse, empty):
    """parse(directory, digest) of the published table `name` of the generation the URLs serve
    (parse is cached by its arguments: a generation never changes). `empty` if the stored file is
    gone or unreadable: the pages say nothing is published rather than fail (logged for the team)."""
    for _ in range(2):
        publication = publishing.latest_publication()
        digest = publication.files.get(publishing.csv_name(name), {}).get("hash", "")
        try:
            return parse(publication.directory, digest)
        except FileNotFoundError:  # replaced meanwhile (the job keeps two): read the new one
            continue
        except (ValueError, IndexError, StopIteration):  # a file not in its schema's shape
            break
    logger.error("open data: the stored file %s of the served generation cannot be read", publishing.csv_name(name))
    return empty


def last_months(months, count: int = MONTHS) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last month ("AAAA-MM" strings of a file) of the `count` months ending with the
    file's last one: the window the diagnostic reads (ADR 0060)."""
    if not months:
        return None, None
    last = datetime.date.fromisoformat(f"{max(months)}-01")
    return add_months(last, 1 - count), last


@functools.lru_cache(maxsize=4)
def _published_publics(directory: str, digest: str) -> PublishedPublics:
    header, rows = publishing.stored_rows(directory, USES_BY_PUBLIC.name)
    month, departement, public, used, status = (
        header.index(column)
        for column in ("mois", "code_departement", "public", "cheques_utilises", "statut_diffusion")
    )
    cells = defaultdict(lambda: defaultdict(PublishedCells))
    first, last = last_months({row[month] for row in rows})
    for row in rows:
        if row[month] >= f"{first:%Y-%m}":  # the twelve months the diagnostic's uses cover too
            shown = row[status] == PUBLISHED
            cells[row[departement]][row[public]] += PublishedCells(int(row[used]) if shown else 0, 1, 0 if shown else 1)
    return PublishedPublics(first, last, {code: dict(publics) for code, publics in cells.items()})
