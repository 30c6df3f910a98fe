"""French names of the demo: "Médiathèque d'Artigues-près-Bordeaux", "du Teich", "des Églisottes"."""

import unicodedata

# Letters before which "de" elides; a leading h is taken as mute (Hostens → d'Hostens), the few
# communes with an aspirated h keep "de" (and "du" with their article: Le Haillan → du Haillan).
_VOWELS = set("aeiouyh")
_ASPIRATED_H = {"Haux", "Hure"}
_ARTICLES = {"Le ": "du ", "Les ": "des ", "La ": "de la ", "L'": "de l'", "L’": "de l'"}


# Quarters that tell apart two demo places of the same name, as towns name their branches.
QUARTERS = [
    "quartier de la Gare",
    "quartier du Centre",
    "quartier des Écoles",
    "quartier du Marché",
    "quartier Pasteur",
    "quartier Victor Hugo",
    "quartier de la Mairie",
    "quartier Jean Jaurès",
    "quartier des Tilleuls",
    "quartier du Stade",
]


def distinct_name(name: str, taken) -> str:
    """`name`, or, when taken, `name` with the first quarter that makes it free (never a number)."""
    if name not in taken:
        return name
    for quarter in QUARTERS:
        candidate = f"{name}, {quarter}"
        if candidate not in taken:
            return candidate
    raise ValueError(f"Plus de quartier libre pour « {name} ».")


def _base_letter(text: str) -> str:
    return unicodedata.normalize("NFD", text[:1])[:1].lower()


def of_place(name: str) -> str:
    """'de <name>' as French writes it: contraction of the article, elision before a vowel or mute h."""
    for article, contracted in _ARTICLES.items():
        if name.startswith(article):
            return contracted + name[len(article) :]
    if _base_letter(name) in _VOWELS and name.split("-")[0] not in _ASPIRATED_H:
        return "d'" + name
    return "de " + name
