"""Demo reference places (ADR 0050): the existing offer of the demo's départements that is not #APTIC,
as the national cartography would list it — médiathèques, France Services, CCAS, espaces publics
numériques, associations, missions locales, centres sociaux — imported through the real import.

Imported twice, as the platform would have: once a week after its opening, and again a month
before the build day, when a few places have changed their services, a few have closed (retired)
and a few have opened. A handful repeat demo providers' places (same name, same commune): the
diagnostic counts them once. Its own random source, so the other builders' data stay as they were.
"""

import csv
import datetime
import io
import random

from aptic.demo.names import of_place
from aptic.opendata import standard
from aptic.opendata.reference import reference_places_import
from aptic.places.selectors import public_places
from aptic.territories.models import Commune

from .organisations import DEPARTEMENTS, demo_siret

SOURCE = "Cartographie nationale des lieux d'inclusion numérique"
SEED = 16

ADMIN = "Aide aux démarches administratives"
DAILY = "Maîtrise des outils numériques du quotidien"
JOBS = "Insertion professionnelle via le numérique"
SAFETY = "Utilisation sécurisée du numérique"
PARENTS = "Parentalité et éducation avec le numérique"
LEISURE = "Loisirs et créations numériques"
WORLD = "Compréhension du monde numérique"
ACCESS = "Accès internet et matériel informatique"
EQUIPMENT = "Acquisition de matériel informatique à prix solidaire"

# (name pattern, typology code, services always offered, services sometimes offered, chance per commune,
#  minimum population of the commune, pivot: "siret", "rna" or "").
KINDS = [
    ("Médiathèque {of}", "BIB", [ACCESS, DAILY], [LEISURE, WORLD], 0.55, 2_000, "siret"),
    ("France services {of}", "RFS", [ADMIN, ACCESS], [DAILY], 0.25, 4_000, "siret"),
    ("CCAS {of}", "CCAS", [ADMIN], [ACCESS], 0.25, 3_000, "siret"),
    ("Espace public numérique {of}", "EPN", [DAILY, ACCESS], [SAFETY, WORLD], 0.15, 2_000, ""),
    ("Centre social {of}", "CS", [DAILY], [PARENTS, ADMIN], 0.08, 5_000, "rna"),
    ("Mission locale {of}", "ML", [JOBS], [ADMIN], 0.06, 8_000, "siret"),
    ("Atelier solidaire {of}", "ASSO", [EQUIPMENT], [DAILY], 0.04, 10_000, "rna"),
]
STREETS = ["place de la Mairie", "rue de la République", "avenue du Général de Gaulle", "rue Victor Hugo", "cours Foch"]
TWINS = 3  # demo providers' places the cartography also lists


# Opened between the two imports: espaces publics numériques in communes of 1,000 to 2,000 inhabitants.
OPENED = [("Espace public numérique {of}", "EPN", [DAILY, ACCESS], [SAFETY], 0.3, 1_000, "")]


def _rows(rng: random.Random, communes, twins, updated_on: datetime.date, kinds=KINDS) -> list[dict]:
    rows = []
    for commune in communes:
        for pattern, typology, always, sometimes, chance, population, pivot in kinds:
            if commune.population < population or rng.random() >= chance:
                continue
            services = always + [s for s in sometimes if rng.random() < 0.5]
            pivots = {"siret": demo_siret(rng), "rna": f"W{commune.departement_id}{rng.randrange(10**7):07d}", "": ""}
            rows.append(
                {
                    "id": f"demo-{typology.lower()}-{commune.insee_code}",
                    "pivot": pivots[pivot],
                    "nom": pattern.format(of=of_place(commune.name)),
                    "commune": commune.name,
                    "code_postal": commune.postal_codes.split(" ", 1)[0],
                    "code_insee": commune.insee_code,
                    "adresse": f"{rng.randint(1, 40)} {rng.choice(STREETS)}",
                    "latitude": f"{commune.latitude + rng.uniform(-0.006, 0.006):.6f}",
                    "longitude": f"{commune.longitude + rng.uniform(-0.008, 0.008):.6f}",
                    "typologie": typology,
                    "services": standard.SEPARATOR.join(services),
                    "date_maj": (updated_on - datetime.timedelta(days=rng.randint(0, 300))).isoformat(),
                    "source": "Cartographie nationale",
                }
            )
    for place in twins:
        rows.append(
            {
                "id": f"demo-aptic-{place.pk}",
                "pivot": "",
                "nom": place.name,
                "commune": place.commune.name,
                "code_postal": place.postal_code or place.commune.postal_codes.split(" ", 1)[0],
                "code_insee": place.commune_id,
                "adresse": place.address,
                "latitude": f"{place.latitude:.6f}",
                "longitude": f"{place.longitude:.6f}",
                "services": standard.SEPARATOR.join([DAILY, ACCESS]),
                "date_maj": updated_on.isoformat(),
                "source": "Cartographie nationale",
            }
        )
    return rows


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=standard.columns(), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _changed(rng: random.Random, rows: list[dict], updated_on: datetime.date) -> list[dict]:
    """The cartography a year on: a few places closed, a few changed their services, a few opened."""
    kept = []
    for row in rows:
        roll = rng.random()
        if roll < 0.04 and not row["id"].startswith("demo-aptic-"):
            continue  # closed: retired by the re-import
        if roll < 0.12:
            row = {**row, "services": standard.SEPARATOR.join([*row["services"].split(standard.SEPARATOR), SAFETY])}
            row["services"] = standard.SEPARATOR.join(dict.fromkeys(row["services"].split(standard.SEPARATOR)))
            row["date_maj"] = updated_on.isoformat()
        kept.append(row)
    return kept


def build(context) -> None:
    rng = random.Random(SEED)
    calendar = context.calendar
    communes = list(
        Commune.objects.filter(departement_id__in=DEPARTEMENTS, is_current=True, population__gte=2_000).order_by(
            "insee_code"
        )
    )
    twins = list(public_places().select_related("commune").order_by("pk")[:TWINS])
    first_at = calendar.moment(calendar.platform_opened.date() + datetime.timedelta(days=7), 11)
    rows = _rows(rng, communes, twins, first_at.date())
    reference_places_import(source=SOURCE, data=_csv(rows), filename="cartographie-demo.csv", at=first_at)

    again_at = calendar.moment(calendar.today - datetime.timedelta(days=30), 11)
    small = Commune.objects.filter(
        departement_id__in=DEPARTEMENTS, is_current=True, population__gte=1_000, population__lt=2_000
    ).order_by("insee_code")
    rows = _changed(rng, rows, again_at.date()) + _rows(rng, small, [], again_at.date(), OPENED)
    reference_places_import(source=SOURCE, data=_csv(rows), filename="cartographie-demo.csv", at=again_at)
