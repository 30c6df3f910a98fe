"""The places of labelled providers in the data·inclusion schema (v1, PyPI `data-inclusion-schema`),
so that the national repository of the offer of social and professional inclusion can harvest them
(ADR 0053).

A data·inclusion *structure* is a labelled provider; a *service* is one service category at one
of its published places: the categories the place declares or has active offers in, exactly the
`services` column of our export in the national standard (ADR 0010). Everything comes from that
export's rows (opendata.selectors.standard_rows: nothing about people) and from the active offers
the place's public page shows (title, price, duration, format, publics).

The values of data·inclusion's closed lists are written here as strings, in one mapping table: the
runtime does not need the schema's package, and the tests check every value against its enums and
parse every structure and service with its pydantic models (an independent validator).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.text import slugify

from aptic.core import formats
from aptic.places.models import Offer, OfferFormat
from aptic.places.templatetags.places_extras import minutes

from . import selectors, standard

SOURCE = "aptic"  # data·inclusion's identifier of the producer; ids are "<source>--<our id>"
FREE, PAID = "gratuit", "payant"
ON_SITE, REMOTE = "en-presentiel", "a-distance"
USERS, PROFESSIONALS = "usagers", "professionnels"
ALL_PUBLICS = "tous-publics"
WORKSHOP, SUPPORT, EQUIPMENT = "atelier", "accompagnement", "aide-materielle"
NAME_LENGTH = (3, 150)
DESCRIPTION_MAX = 10_000


@dataclass(frozen=True)
class Category:
    thematiques: tuple[str, ...]
    type: str


# --- The mapping table (ADR 0053) ------------------------------------------------------------
# Service category of the national standard → data·inclusion thématiques (the correspondence
# data·inclusion itself applies to the national cartography's places) and type of service.
CATEGORIES = {
    "Aide aux démarches administratives": Category(
        (
            "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
            "numerique--acceder-a-des-services-en-ligne",
        ),
        SUPPORT,
    ),
    "Maîtrise des outils numériques du quotidien": Category(
        ("numerique--maitriser-les-fondamentaux-du-numerique", "numerique--acceder-a-des-services-en-ligne"), SUPPORT
    ),
    "Insertion professionnelle via le numérique": Category(
        (
            "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi",
            "numerique--maitriser-les-fondamentaux-du-numerique",
        ),
        SUPPORT,
    ),
    "Utilisation sécurisée du numérique": Category(("numerique--maitriser-les-fondamentaux-du-numerique",), SUPPORT),
    "Parentalité et éducation avec le numérique": Category(
        (
            "famille--soutien-a-la-parentalite-et-a-leducation",
            "numerique--maitriser-les-fondamentaux-du-numerique",
        ),
        SUPPORT,
    ),
    "Loisirs et créations numériques": Category(
        ("remobilisation--activites-sportives-et-culturelles", "numerique--maitriser-les-fondamentaux-du-numerique"),
        SUPPORT,
    ),
    "Compréhension du monde numérique": Category(("numerique--maitriser-les-fondamentaux-du-numerique",), SUPPORT),
    "Accès internet et matériel informatique": Category(
        ("numerique--acceder-a-une-connexion-internet", "numerique--acquerir-un-equipement"), EQUIPMENT
    ),
    "Acquisition de matériel informatique à prix solidaire": Category(
        ("numerique--acquerir-un-equipement",), EQUIPMENT
    ),
}
# Public specifically addressed → data·inclusion public (no public: "tous-publics").
PUBLICS = {
    "Jeunes": "jeunes",
    "Étudiants": "etudiants",
    "Familles et/ou enfants": "familles",
    "Seniors": "seniors",
    "Femmes": "femmes",
}
# Access mode → (mode de mobilisation, who may use it, the contact field it needs or None).
ACCESS_MODES = {
    "Se présenter": ("se-presenter", USERS, None),
    "Téléphoner": ("telephoner", USERS, "telephone"),
    "Contacter par mail": ("envoyer-un-courriel", USERS, "courriel"),
    "Prendre un RDV en ligne": ("utiliser-lien-mobilisation", USERS, "lien_mobilisation"),
    "Envoyer un mail avec une fiche de prescription": ("envoyer-un-courriel", PROFESSIONALS, "courriel"),
}
NO_PUBLIC_WELCOME = "Ce lieu n'accueille pas de public"
# Support mode of the place, format of an offer → mode d'accueil.
SUPPORT_MODES = {
    "En autonomie": ON_SITE,
    "Accompagnement individuel": ON_SITE,
    "Dans un atelier collectif": ON_SITE,
    "À distance": REMOTE,
}
FORMATS = {OfferFormat.INDIVIDUAL: ON_SITE, OfferFormat.GROUP: ON_SITE, OfferFormat.REMOTE: REMOTE}
# Typology of a place (national standard's codes) → réseau porteur of its provider, where
# data·inclusion lists the same network; the other typologies (library, fablab, association…) have none.
TYPOLOGIES = {
    "ACI": "aci",
    "AFPA": "afpa",
    "AI": "ai",
    "ASE": "ase",
    "AVIP": "creches-avip",
    "CAARUD": "caarud",
    "CADA": "cada",
    "CAF": "caf",
    "CAP_EMPLOI": "cap-emploi-reseau-cheops",
    "CAVA": "cava",
    "CCAS": "ccas-cias",
    "CCONS": "chambres-consulaires",
    "CD": "departements",
    "CHRS": "chrs",
    "CHU": "chu",
    "CIAS": "ccas-cias",
    "CIDFF": "cidff",
    "CMP": "cmp",
    "CMS": "cms",
    "CPAM": "cpam",
    "CPH": "cph",
    "CSAPA": "csapa",
    "DEPT": "departements",
    "E2C": "ecoles-de-la-deuxieme-chance",
    "EA": "ea",
    "EATT": "eatt",
    "EI": "ei",
    "EITI": "eiti",
    "EPIDE": "epide",
    "EPN": "espaces-publics-numeriques",
    "ETTI": "etti",
    "FT": "france-travail",
    "GEIQ": "geiq",
    "HUDA": "huda",
    "LA_POSTE": "la-poste",
    "MDE": "maisons-de-l-emploi",
    "MDEF": "maisons-de-l-emploi",
    "MDPH": "mdph",
    "MDS": "maisons-des-solidarites",
    "MJC": "mjc",
    "ML": "mission-locale",
    "MSA": "mutualite-sociale-agricole",
    "MSAP": "msap",
    "MUNI": "communes",
    "ODC": "delegataire-conseil-departemental",
    "PIJ_BIJ": "reseau-information-jeunesse",
    "PIMMS": "pimms-mediation",
    "PJJ": "pjj",
    "PLIE": "plie",
    "REG": "regions",
    "RESSOURCERIE": "ressourceries",
    "RFS": "france-service",
    "RS_FJT": "residences-fjt",
    "SPIP": "spip",
    "UDAF": "unaf",
}


# --- Building --------------------------------------------------------------------------------


def _values(cell: str | None) -> list[str]:
    return cell.split(standard.SEPARATOR) if cell else []


def _mapped(values: Iterable[str], table: dict) -> list[str]:
    return sorted({table[value] for value in values if value in table})


def _date(row: dict) -> str:
    # The local (Paris) date of the last update, but never after today in UTC: the schema refuses a
    # date in the future by the reader's clock, and a harvester running on UTC reads it an hour early.
    updated = datetime.date.fromisoformat(row["date_maj"])
    return min(updated, datetime.datetime.now(datetime.UTC).date()).isoformat()


def _offers() -> dict[tuple[int, str], list[dict]]:
    """The exported places' active offers by (place, category's standard value), with their
    publics, in two queries (the places as a subquery, not a list of ids)."""
    active = Offer.objects.filter(place__in=selectors.exported_places(), is_active=True).exclude(
        category__standard_value=""
    )
    offers = list(
        active.order_by("price_cents", "title", "pk").values(
            "pk", "place_id", "category__standard_value", "title", "price_cents", "duration_minutes", "format",
            "accepts_aptic",
        )
    )  # fmt: skip
    publics = defaultdict(list)
    links = Offer.publics.through.objects.filter(offer__in=active).values_list("offer_id", "public__standard_value")
    for offer_id, value in links:
        publics[offer_id].append(value)
    grouped = defaultdict(list)
    for offer in offers:
        grouped[offer["place_id"], offer["category__standard_value"]].append(offer | {"publics": publics[offer["pk"]]})
    return grouped


def _offer_line(offer: dict) -> str:
    price = "gratuit" if not offer["price_cents"] else f"{formats.euros(offer['price_cents'])} TTC"
    aptic = ", payable en chèques #APTIC" if offer["accepts_aptic"] else ""
    label = OfferFormat(offer["format"]).label.lower()
    return f"- {offer['title']} : {price}, {minutes(offer['duration_minutes'])}, {label}{aptic}."


def _fees(offers: list[dict]) -> tuple[str | None, str | None]:
    if not offers:
        return None, None
    prices = [offer["price_cents"] for offer in offers]
    if not max(prices):
        return FREE, None
    low, high = min(prices), max(prices)
    span = formats.euros(high) if low == high else f"de {formats.euros(low)} à {formats.euros(high)}"
    aptic = " ; payable en chèques #APTIC" if any(offer["accepts_aptic"] for offer in offers) else ""
    return PAID, f"{span} TTC selon le service{aptic}."


def _mobilisation(row: dict, contacts: dict) -> tuple[list[str] | None, list[str] | None]:
    modes, who = set(), set()
    for value in _values(row["modalites_acces"]):
        if value in ACCESS_MODES:
            mode, person, needs = ACCESS_MODES[value]
            if needs is None or contacts[needs]:
                modes.add(mode)
                who.add(person)
    return sorted(modes) or None, sorted(who) or None


def _service(row: dict, place_id: int, category: str, offers: list[dict], base_url: str) -> dict:
    mapping = CATEGORIES[category]
    accueil = {SUPPORT_MODES[v] for v in _values(row["modalites_accompagnement"]) if v in SUPPORT_MODES}
    accueil |= {FORMATS[offer["format"]] for offer in offers}
    if NO_PUBLIC_WELCOME in _values(row["modalites_acces"]):
        accueil.discard(ON_SITE)
    publics = _mapped(
        _values(row["publics_specifiquement_adresses"]) + [p for o in offers for p in o["publics"]], PUBLICS
    )
    contacts = {"telephone": row["telephone"], "courriel": row["courriels"], "lien_mobilisation": row["prise_rdv"]}
    modes, who = _mobilisation(row, contacts)
    fees, fees_details = _fees(offers)
    place_page = base_url + reverse("directory:detail", args=[place_id])
    intro = f"{category} à {row['nom']} ({row['commune']})."
    text = "\n".join([intro, *(_offer_line(offer) for offer in offers), row["presentation_resume"] or ""]).strip()
    return {
        "source": SOURCE,
        "structure_id": None,  # set by the caller, who knows the provider
        "id": f"{SOURCE}--lieu-{place_id}--{slugify(category)}",
        "nom": category,
        "description": text[:DESCRIPTION_MAX],
        "lien_source": place_page,
        "date_maj": _date(row),
        "type": WORKSHOP if offers and all(o["format"] == OfferFormat.GROUP for o in offers) else mapping.type,
        "thematiques": sorted(mapping.thematiques),
        "frais": fees,
        "frais_precisions": fees_details,
        "publics": publics or [ALL_PUBLICS],
        "publics_precisions": None,
        "conditions_acces": None,
        "commune": row["commune"],
        "code_postal": row["code_postal"],
        "code_insee": row["code_insee"],
        "adresse": row["adresse"],
        "complement_adresse": row["complement_adresse"],
        "longitude": row["longitude"],
        "latitude": row["latitude"],
        "telephone": row["telephone"],
        "courriel": row["courriels"],
        "modes_accueil": sorted(accueil) or None,
        "zone_eligibilite": None,
        "contact_nom_prenom": None,  # never a person's name (ADR 0010)
        "lien_mobilisation": row["prise_rdv"],
        "modes_mobilisation": modes,
        "mobilisable_par": who,
        "mobilisation_precisions": None,
        "volume_horaire_hebdomadaire": None,
        "nombre_semaines": None,
        "horaires_accueil": row["horaires"],
    }


def _structure(provider_id: int, row: dict) -> dict:
    return {
        "source": SOURCE,
        "id": f"{SOURCE}--structure-{provider_id}",
        "nom": row["structure_parente"][: NAME_LENGTH[1]],
        "date_maj": _date(row),
        "description": None,
        "lien_source": None,
        "siret": row["pivot"],
        "commune": None,
        "code_postal": None,
        "code_insee": None,
        "adresse": None,
        "complement_adresse": None,
        "longitude": None,
        "latitude": None,
        "telephone": None,
        "courriel": None,
        "site_web": None,
        "horaires_accueil": None,
        "accessibilite_lieu": None,
        "reseaux_porteurs": _mapped(_values(row["typologie"]), TYPOLOGIES),
    }


def export(base_url: str) -> tuple[list[dict], list[dict]]:
    """(structures, services), ordered by id. `base_url` (settings.SITE_URL) makes the links to
    the places' public pages absolute."""
    places = dict(selectors.exported_places().values_list("pk", "provider_id"))
    offers = _offers()
    structures: dict[int, dict] = {}
    services = []
    for row in selectors.standard_rows():
        place_id = int(row["id"].removeprefix(standard.ID_PREFIX))
        provider_id = places[place_id]
        structure = _structure(provider_id, row)
        if not NAME_LENGTH[0] <= len(structure["nom"].strip()):
            continue  # a name data·inclusion refuses; its places' services would point at nothing
        if provider_id in structures:  # one structure per provider: its latest date, all its networks
            known = structures[provider_id]
            known["date_maj"] = max(known["date_maj"], structure["date_maj"])
            known["reseaux_porteurs"] = sorted(set(known["reseaux_porteurs"]) | set(structure["reseaux_porteurs"]))
        else:
            structures[provider_id] = structure
        for category in _values(row["services"]):
            if category in CATEGORIES:
                service = _service(row, place_id, category, offers.get((place_id, category), []), base_url)
                services.append(service | {"structure_id": structures[provider_id]["id"]})
    for structure in structures.values():
        structure["reseaux_porteurs"] = structure["reseaux_porteurs"] or None
    return sorted(structures.values(), key=lambda s: s["id"]), sorted(services, key=lambda s: s["id"])
