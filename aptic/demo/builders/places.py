"""Demo places and offers: one to three places per provider, in its commune and neighbouring ones,
each with opening hours, contacts (an address of its own, not its provider's login) and two to four
priced services."""

import datetime

from django.utils.text import slugify

from aptic.demo.names import distinct_name, of_place
from aptic.places import services as places
from aptic.places.models import OfferFormat, Place
from aptic.territories.models import Commune
from aptic.vocabulary.models import AccessMode, PlaceTypology, Public, ServiceCategory, SupportMode

PLACE_NAMES = ["Antenne", "Point d'accueil", "Permanence", "Atelier"]
STREETS = [
    "rue Jean Jaurès",
    "place de la Mairie",
    "avenue de la Libération",
    "rue des Écoles",
    "rue du Marché",
    "boulevard Gambetta",
    "rue Pasteur",
    "allée des Tilleuls",
]
OPENING_HOURS = [
    "Mo-Fr 09:00-12:00,14:00-18:00",
    "Tu-Sa 10:00-18:00",
    "Mo,We,Fr 14:00-17:30; Sa 09:30-12:30",
    "Mo-Th 09:00-12:30,13:30-17:00; Fr 09:00-12:00",
    "We 14:00-18:00; Sa 10:00-12:00,14:00-17:00",
]
# Per category of the standard: (title, format, minutes, price in cents incl. VAT).
OFFERS = {
    "Aide aux démarches administratives": [
        ("Accompagnement aux démarches en ligne (CAF, impôts, ANTS)", OfferFormat.INDIVIDUAL, 60, 1000),
        ("Créer et utiliser son compte FranceConnect", OfferFormat.INDIVIDUAL, 45, 1000),
    ],
    "Maîtrise des outils numériques du quotidien": [
        ("Prendre en main un ordinateur", OfferFormat.GROUP, 120, 1000),
        ("Bien utiliser son smartphone", OfferFormat.GROUP, 120, 1500),
        ("Initiation à la messagerie électronique", OfferFormat.INDIVIDUAL, 60, 2000),
    ],
    "Insertion professionnelle via le numérique": [
        ("Rédiger son CV et candidater en ligne", OfferFormat.INDIVIDUAL, 90, 2000),
        ("Préparer un entretien d'embauche en visio", OfferFormat.REMOTE, 60, 1500),
    ],
    "Utilisation sécurisée du numérique": [
        ("Se protéger des arnaques en ligne", OfferFormat.GROUP, 120, 1000),
        ("Gérer ses mots de passe en sécurité", OfferFormat.INDIVIDUAL, 60, 1500),
    ],
    "Parentalité et éducation avec le numérique": [
        ("Les écrans à la maison : repères pour les parents", OfferFormat.GROUP, 90, 0),
        ("Utiliser l'espace numérique de travail du collège", OfferFormat.INDIVIDUAL, 60, 1000),
    ],
    "Loisirs et créations numériques": [
        ("Retoucher et partager ses photos", OfferFormat.GROUP, 120, 2000),
        ("Découvrir l'impression 3D", OfferFormat.GROUP, 180, 3000),
    ],
    "Compréhension du monde numérique": [
        ("Comprendre l'intelligence artificielle", OfferFormat.GROUP, 120, 1000),
        ("Décrypter l'information en ligne", OfferFormat.REMOTE, 90, 0),
    ],
    "Accès internet et matériel informatique": [
        ("Accès accompagné aux ordinateurs", OfferFormat.INDIVIDUAL, 60, 500),
        ("Imprimer et numériser ses documents", OfferFormat.INDIVIDUAL, 30, 0),
    ],
    "Acquisition de matériel informatique à prix solidaire": [
        ("Ordinateur portable reconditionné, prise en main comprise", OfferFormat.INDIVIDUAL, 90, 15000),
    ],
}
PHONE_PREFIX = {"33": "05 56", "42": "04 77"}


def contact_email(name: str) -> str:
    """A place's public address, its own: never a demo account's login (structure.N@demo.aptic.fr),
    which the open data and the data·inclusion export would otherwise publish beside the place."""
    return f"accueil@{slugify(name)[:50].strip('-')}.demo.aptic.fr"


def _nearest(commune, pool, count):
    def distance(other):
        return (other.latitude - commune.latitude) ** 2 + (other.longitude - commune.longitude) ** 2

    return sorted((c for c in pool if c.pk != commune.pk), key=distance)[:count]


def build(context) -> None:
    rng = context.rng
    typologies = {t.standard_value: t for t in PlaceTypology.objects.all()}
    categories = {c.standard_value: c for c in ServiceCategory.objects.all()}
    publics = list(Public.objects.all())
    access_modes = list(AccessMode.objects.exclude(standard_value="Ce lieu n'accueille pas de public"))
    support_modes = list(SupportMode.objects.all())
    providers_list = context.organisations.get("providers", [])
    departements = {p.commune.departement_id for p in providers_list}
    pool = {
        dep: list(
            Commune.objects.filter(departement_id=dep, is_current=True, population__gte=1000).order_by("insee_code")
        )
        for dep in departements
    }
    for provider in providers_list:
        place_typologies = [typologies[code] for code in getattr(provider, "demo_typologies", []) if code in typologies]
        count = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        neighbours = _nearest(provider.commune, pool[provider.commune.departement_id], 12)
        communes = [provider.commune] + [rng.choice(neighbours) for _ in range(count - 1)]
        # Its places described the week after its request.
        described = provider.demo_requested_at + datetime.timedelta(days=rng.randint(1, 7))
        for index, commune in enumerate(communes):
            name = provider.name if index == 0 else f"{rng.choice(PLACE_NAMES)} {of_place(commune.name)}"
            if index:  # no two demo places of the same name: the top places would not tell them apart
                name = distinct_name(name, set(Place.objects.values_list("name", flat=True)))
            offered = rng.sample(sorted(OFFERS), k=rng.randint(2, 4))
            place = places.place_create(
                provider=provider,
                name=name,
                address=f"{rng.randint(1, 90)} {rng.choice(STREETS)}",
                commune=commune,
                # Within about a kilometre of the commune's centre.
                latitude=round(commune.latitude + rng.uniform(-0.008, 0.008), 6),
                longitude=round(commune.longitude + rng.uniform(-0.011, 0.011), 6),
                is_mobile=rng.random() < 0.1,
                opening_hours=rng.choice(OPENING_HOURS),
                summary=f"{provider.name} accueille tous les publics pour apprendre et pratiquer le numérique.",
                phone=" ".join(
                    [PHONE_PREFIX.get(commune.departement_id, "01 45")] + [str(rng.randint(10, 99)) for _ in "abc"]
                ),
                email=contact_email(name),
                accessibility=rng.choice(
                    ["Accès de plain-pied, toilettes adaptées.", "Ascenseur ; boucle magnétique à l'accueil.", ""]
                ),
                typologies=place_typologies,
                service_categories=[categories[c] for c in offered if c in categories],
                publics=rng.sample(publics, k=rng.randint(0, 2)),
                access_modes=rng.sample(access_modes, k=rng.randint(1, 3)),
                support_modes=rng.sample(support_modes, k=rng.randint(1, 3)),
                at=described,
            )
            for category_name in offered:
                title, offer_format, minutes, price = rng.choice(OFFERS[category_name])
                places.offer_create(
                    place=place,
                    category=categories[category_name],
                    title=title,
                    price_cents=price,
                    duration_minutes=minutes,
                    format=offer_format,
                    description=f"{title}, avec un médiateur numérique, à votre rythme.",
                    accepts_aptic=price > 0 or rng.random() < 0.5,
                    at=described,
                )
