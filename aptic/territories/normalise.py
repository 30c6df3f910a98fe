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


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub(" ", text).split()


def abbreviated_prefix(text: str) -> tuple[str, bool] | None:
    """'sain eti' on the way to 'Saint-Étienne': ('st eti', False); 'sain' alone: ('st', True),
    True meaning the abbreviation is the last word, to be matched whole. None when nothing changes."""
    words = _words(text)
    replaced = [
        "saint" if len(w) >= 3 and w not in _ABBREVIATIONS and "saint".startswith(w) and w != "saint" else w
        for w in words
    ]
    if replaced == words:
        return None
    return normalise_name(" ".join(replaced)), replaced[-1] != words[-1]


def ends_with_whole_word(text: str) -> bool:
    """True when the last word typed was spelled out and abbreviated ("saint" → "st"): it is then
    a whole word, and "st" must not match the start of "strasbourg"."""
    words = _words(text)
    return bool(words) and words[-1] in _ABBREVIATIONS
