"""French business numbers (SIRET, SIREN), checked with python-stdnum: the one home of the rule."""

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as siren_number
from stdnum.fr import siret as siret_number

from aptic.core.errors import DomainError


def clean_siret(raw: str, *, missing: str, invalid: str, siren_allowed: bool = False) -> str:
    """The digits of a SIRET (or, with siren_allowed, of a SIREN) typed with any spaces, checked
    (length and Luhn key); else a DomainError on the field "siret": `missing` when nothing was typed,
    `invalid` otherwise, where {raw} stands for what was typed (its first 30 characters)."""
    value = siret_number.compact(raw or "")
    if not value:
        raise DomainError(missing, field="siret")
    try:
        if siren_allowed and len(value) == 9:
            return siren_number.validate(value)
        return siret_number.validate(value)
    except StdnumError:
        raise DomainError(invalid.format(raw=str(raw)[:30]), field="siret") from None
