"""The postal address as La Poste reads it (AFNOR NF Z10-011): the one rule that the address file's
check, the labels and the letters apply (ADR 0047).

At most 6 lines of at most 38 characters, no blank line, in this order: the recipient (line 1),
what locates the door (lines 2-3: appartement, bâtiment, résidence), the number and street
(line 4), a distribution mention (line 5: BP, CS, TSA, lieu-dit), then the postcode and town
(line 6) in capitals without accents or punctuation, hyphens and apostrophes becoming spaces
("33130 BEGLES", "42000 ST ETIENNE CEDEX 1"). Lines 1 to 5 keep the accents they were typed with."""

import functools
import re
import unicodedata
from collections.abc import Sequence

from aptic.core.errors import DomainError

LINES = 6
LINE = 38

# Mentions that La Poste puts under the street (line 5): a box, a business sort code, a lieu-dit.
_BELOW_STREET = re.compile(r"^(bp|cs|tsa|lieu[\s-]*dit|ld)\b", re.IGNORECASE)
# Letters NFKD leaves whole; French writes them as two (Œuilly → OEUILLY).
_LIGATURES = str.maketrans({"Œ": "OE", "œ": "OE", "Æ": "AE", "æ": "AE", "ß": "SS"})
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")


class AddressError(DomainError):
    """An address that cannot be written within the postal limits."""


@functools.lru_cache(maxsize=4096)  # a mailing repeats its towns
def town_line(postal_code: str, town: str) -> str:
    """'33130', 'Bègles' → '33130 BEGLES'; "L'Isle-d'Abeau" → 'L ISLE D ABEAU'; Cedex kept."""
    text = unicodedata.normalize("NFKD", f"{postal_code} {town}".translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return _NOT_ALNUM.sub(" ", text).strip()


def postal_block(lines: Sequence[str], postal_code: str, town: str) -> list[str]:
    """The address block: `lines` (recipient … street … distribution mention, in that order) with
    spaces collapsed and empty ones dropped, then the town line. AddressError (in French) when the
    block has more than 6 lines or a line more than 38 characters."""
    block = [text for text in (" ".join(str(line or "").split()) for line in lines) if text]
    block.append(town_line(postal_code, town))
    if len(block) > LINES:
        raise AddressError(
            f"L'adresse compte {len(block)} lignes : La Poste en lit {LINES} au plus (norme NF Z10-011)."
        )
    for text in block:
        if len(text) > LINE:
            raise AddressError(
                f"La ligne « {text} » compte {len(text)} caractères : {LINE} au plus sur une enveloppe "
                "(norme NF Z10-011)."
            )
    return block


def address_lines(*, name: str, street: str, complement: str, postal_code: str, city: str) -> list[str]:
    """The block of a row of the address file: its complement goes above the street (a flat, a
    building), or under it when it is a distribution mention (BP 12, lieu-dit Le Bourg)."""
    complement = " ".join((complement or "").split())
    below = bool(_BELOW_STREET.match(complement))
    return postal_block([name, "" if below else complement, street, complement if below else ""], postal_code, city)
