"""Form data as a browser would post it."""

from aptic.vocabulary.models import AccessMode, PlaceTypology, Public, ServiceCategory


def place_data(**overrides) -> dict:
    data = {
        "name": "Médiathèque Tarentaize",
        "is_mobile": "0",
        "address": "20-24 rue Jo Gouttebarge",
        "address_complement": "",
        "commune": "Saint-Étienne (42000) – 42218",
        "postal_code": "42000",
        "latitude": "45,4397",
        "longitude": "4,3872",
        "opening_hours": "Tu-Sa 10:00-18:00; PH off",
        "summary": "Ateliers numériques pour tous les âges.",
        "description": "",
        "accessibility": "Accès de plain-pied.",
        "acceslibre_url": "",
        "phone": "04 77 43 09 77",
        "email": "mediatheque@exemple.fr",
        "website": "https://mediatheque.exemple.fr/",
        "booking_url": "",
        "typologies": [PlaceTypology.objects.get(standard_value="BIB").pk],
        "service_categories": [ServiceCategory.objects.get(standard_value="Aide aux démarches administratives").pk],
        "publics": [Public.objects.get(standard_value="Seniors").pk],
        "access_modes": [AccessMode.objects.get(standard_value="Se présenter").pk],
        "support_modes": [],
        "is_published": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def offer_data(**overrides) -> dict:
    data = {
        "title": "Accompagnement aux démarches en ligne",
        "category": ServiceCategory.objects.get(standard_value="Aide aux démarches administratives").pk,
        "description": "Avec un médiateur, à votre rythme.",
        "price": "12,50",
        "duration_minutes": "60",
        "format": "individual",
        "publics": [Public.objects.get(standard_value="Seniors").pk],
        "accepts_aptic": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
