"""Demo places: one to three per provider, in its commune and neighbouring ones."""

from aptic.catalogue.models import PlaceTypology
from aptic.places import services as providers
from aptic.territories.models import Commune

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


def _nearest(commune, pool, count):
    def distance(other):
        return (other.latitude - commune.latitude) ** 2 + (other.longitude - commune.longitude) ** 2

    return sorted((c for c in pool if c.pk != commune.pk), key=distance)[:count]


def build(context) -> None:
    rng = context.rng
    typologies = {t.standard_value: t for t in PlaceTypology.objects.all()}
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
        communes = [provider.commune] + [
            rng.choice(_nearest(provider.commune, pool[provider.commune.departement_id], 12)) for _ in range(count - 1)
        ]
        for index, commune in enumerate(communes):
            name = provider.name if index == 0 else f"{rng.choice(PLACE_NAMES)} de {commune.name}"
            if index and provider.places.filter(name=name).exists():
                name = f"{name} ({index + 1})"
            providers.place_create(
                provider=provider,
                name=name,
                address=f"{rng.randint(1, 90)} {rng.choice(STREETS)}",
                commune=commune,
                # Within about a kilometre of the commune's centre.
                latitude=round(commune.latitude + rng.uniform(-0.008, 0.008), 6),
                longitude=round(commune.longitude + rng.uniform(-0.011, 0.011), 6),
                typologies=place_typologies,
                is_mobile=rng.random() < 0.1,
            )
