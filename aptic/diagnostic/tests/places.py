"""A world of known places for the diagnostic's tests: reference places scattered over Gironde and
its neighbours with seeded random categories, a few labelled #APTIC places with offers, and one
category that no place offers anywhere."""

import random

from aptic.core.tests.factories import OrganisationFactory
from aptic.core.tests.world import label
from aptic.places.models import Offer, Place, ReferencePlace
from aptic.territories.models import Commune
from aptic.vocabulary.models import ServiceCategory

GIRONDE = "33"
BORDEAUX_METROPOLE = "243300316"


def reference_places(rng, offered) -> list:
    around = list(
        Commune.objects.filter(departement_id__in=["33", "24", "40", "47", "17"], is_current=True).order_by("pk")
    )
    references = []
    for n, commune in enumerate(rng.sample(around, 60)):
        place = ReferencePlace.objects.create(
            source="cartographie-nationale",
            source_id=f"t{n}",
            name=f"Lieu de référence {n}",
            commune=commune,
            latitude=commune.latitude + rng.uniform(-0.02, 0.02),
            longitude=commune.longitude + rng.uniform(-0.02, 0.02),
        )
        place.service_categories.set(rng.sample(offered, rng.randint(1, 4)))
        references.append(place)
    return references


def build(seed: int = 16) -> dict:
    rng = random.Random(seed)
    categories = list(ServiceCategory.objects.filter(is_active=True))
    offered, nowhere = categories[:-1], categories[-1]
    references = reference_places(rng, offered)
    provider = OrganisationFactory(kind="provider", name="Tiers-lieu girondin")
    label(provider)
    aptic = []
    for n, code in enumerate(["33063", "33281", "33529"]):  # Bordeaux, Mérignac, Sainte-Foy-la-Grande
        commune = Commune.objects.get(pk=code)
        place = Place.objects.create(
            provider=provider, name=f"Lieu #APTIC {n}", address="1 place de la Mairie", commune=commune,
            latitude=commune.latitude, longitude=commune.longitude, is_published=True,
        )  # fmt: skip
        place.service_categories.set([offered[n]])
        Offer.objects.create(
            place=place, category=offered[n + 1], title="Atelier", price_cents=1000, duration_minutes=60,
            format="individual",
        )  # fmt: skip
        aptic.append(place)
    hidden = Place.objects.create(
        provider=provider, name="Lieu non publié", address="1 rue", commune=aptic[0].commune,
        latitude=aptic[0].latitude, longitude=aptic[0].longitude, is_published=False,
    )  # fmt: skip
    hidden.service_categories.set([nowhere])
    return {"references": references, "aptic": aptic, "nowhere": nowhere, "categories": categories}
