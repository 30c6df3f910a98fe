"""How commune names and what people type are made comparable."""

import re
import unicodedata

_ABBREVIATIONS = {"saint": "st", "sainte": "ste", "saints": "sts", "saintes": "stes"}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_name(text: str) -> str:
    """'Saint-Étienne' and 'st etienne' both give 'st etienne'."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def ends_with_whole_word(text: str) -> bool:
    """True when the last word typed was spelled out and abbreviated ("saint" → "st"): it is then
    a whole word, and "st" must not match the start of "strasbourg"."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    words = _NON_WORD.sub(" ", text).split()
    return bool(words) and words[-1] in _ABBREVIATIONS
