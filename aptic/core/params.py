"""Integers typed by people or forged in URLs: the one parser of every integer taken from a request.

`str.isdigit()` and `int()` accept far more than "0-9": `"²".isdigit()` is true and `int("²")`
fails, `int("٣")` and `int("５")` succeed, and `int("1_000")` too. A query or a form gives text; this
module turns it into an integer only when it is ASCII digits (with a leading minus sign when the
caller allows negative numbers), within bounds that the database can bind (a bigint), and
otherwise answers None (or a DomainError in French for the callers that want one).
"""

import re

from .errors import DomainError

MAX_ID = 2**63 - 1  # a bigint: beyond, SQLite cannot bind an integer (Django guards `=` lookups, not `IN`)
MAX_DIGITS = 19  # len(str(MAX_ID)): a longer string is never converted (int() of 4,300+ digits raises)
_INTEGER = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}", re.ASCII)


def parse_int(value, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The integer written in `value` (spaces around allowed), or None when it is not one, or is out
    of [minimum, maximum]. An int passes through the same bounds; a bool or anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            return None
        number = int(text)
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """A database id (1 to MAX_ID), or None."""
    return parse_int(value, minimum=1)


def is_id(value) -> bool:
    return parse_id(value) is not None


def require_int(value, *, minimum: int = 0, maximum: int = MAX_ID, label: str = "Ce nombre", field=None) -> int:
    """As parse_int, but a DomainError in French instead of None."""
    number = parse_int(value, minimum=minimum, maximum=maximum)
    if number is None:
        raise DomainError(
            f"{label} doit être un nombre entier écrit en chiffres, entre {minimum} et {maximum}.",
            field=field,
        )
    return number
