"""Text as SEPA banks accept it: the EPC's basic Latin set (a-z A-Z 0-9 / - ? : ( ) . , ' + space),
within each field's length. Anything else may be refused or garbled by a bank on the way."""

import re

from text_unidecode import unidecode  # sepaxml's own transliteration library

# Before transliteration: what text_unidecode would render badly in French ("&" kept, "°" as "deg").
_BEFORE = str.maketrans({"&": " et ", "°": "o"})
# After it (ASCII only by then): the near equivalents in the set; quotes and chevrons dropped.
_AFTER = str.maketrans(
    {";": ",", "_": "-", "[": "(", "]": ")", "{": "(", "}": ")", '"': "", "<": "", ">": "", "#": "", "`": "'"}
)
_OUTSIDE = re.compile(r"[^a-zA-Z0-9/\-?:().,'+ ]")

# The EPC rulebook's limits (the ISO schema allows more for names in pain.001.001.09).
NAME, REMITTANCE, IDENTIFIER = 70, 140, 35


def sepa_text(value: str, limit: int) -> str:
    """'Œuvre « Clic & Lien » #2' → 'OEuvre Clic et Lien 2', cut to `limit` characters. Identifiers
    never start or end with "/" nor hold "//" (EPC rule); the rule is harmless for other fields."""
    text = unidecode(str(value).translate(_BEFORE)).translate(_AFTER)
    text = re.sub(r" ([,.])", r"\1", " ".join(_OUTSIDE.sub(" ", text).split()))
    text = re.sub(r"/{2,}", "/", text).strip("/ ")
    return text[:limit].rstrip(" /")
