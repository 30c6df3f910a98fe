"""What the mailing documents' tests share: a letter's context and hostile addresses."""

import datetime
from types import SimpleNamespace

from aptic.distribution.letter import Letter


def sample_letter(**changes) -> Letter:
    values = {
        "title": "Envoi postal de test",
        "funder": "Département de la Gironde",
        "funder_contact": ("1 esplanade Charles-de-Gaulle", "33000 Bordeaux", "contact@gironde.example"),
        "place": "Bordeaux",
        "day": datetime.date(2026, 12, 7),
        "order_id": 7,
        "face_value": "10,00\u00a0€",
        "size": 10,
        "validity": "valables jusqu'au 31/12/2027, acceptés jusqu'au 31/01/2028",
        "processor": "#APTIC — plateforme de démonstration",
        "processor_address": "1 rue de la Démonstration, 33000 Bordeaux",
        "keep_days": 30,
        "site_url": "https://aptic.example",
    }
    return Letter(**(values | changes))


def row(number=1, *, name="Jeanne Martin", street="12 rue des Lilas", complement="", postal_code="33000", city="X"):
    return SimpleNamespace(
        name=name, street=street, complement=complement, postal_code=postal_code, city=city, booklet_number=number
    )


# As the address file lets them in: 38 characters a line, 32 for the town, accents, apostrophes, Cedex.
HOSTILE = [
    row(
        1,
        name="Éloïse Lefèvre-de La Tour d'Auvergne",
        complement="Résidence « Les Chênes », bât. B",
        postal_code="33130",
        city="BÈGLES",  # as the file reader stores it: in upper case, accents kept
    ),
    row(2, name="M" * 38, street="W" * 38, complement="É" * 38, city="W" * 32, postal_code="99999"),
    row(3, name="Mme Œuvray", street="BP 12", city="L'Isle-d'Abeau Cedex", postal_code="38081"),
    row(
        4,
        name="Jean-Noël O'Connor",
        street="3 allée de l'Océan",
        complement="Lieu-dit l'Étang",
        postal_code="42000",
        city="SAINT-ÉTIENNE CEDEX 1",
    ),
    row(5, name="  Paul   Durand ", street="8 cours de l'Yser", complement="   ", city="Bordeaux", postal_code="33800"),
]
