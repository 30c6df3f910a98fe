"""What the API reads and writes (pydantic, through django-ninja; they make the OpenAPI document).

Request bodies are strict: integers must be JSON integers (not "12", 12.0 or true), codes JSON
strings, and unknown fields are refused, so that a client's mistake shows at once instead of
being half-understood. Money is in integer cents (ADR 0002).
"""

import datetime
import re
import unicodedata
from typing import Annotated

from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

from aptic.core.params import MAX_ID  # a bigint: larger numbers would overflow the database driver
from aptic.vouchers.redemption import MAX_CODES

REASON_MAX = 250


def _integer(value):
    """JSON Schema's integers: 12 and 12.0, not "12" nor true (strict mode alone refuses 12.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# JavaScript's \s, which is what the published pattern "\S" means to clients.
_SPACES = re.compile(r"[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")


def _one_line(text: str) -> str:
    """Spaces of any kind become one space; other control characters and lone surrogates become U+FFFD
    (NUL cannot be stored in PostgreSQL, nor a surrogate in UTF-8). Refused only when nothing but spaces
    is left, as the published pattern says. Lengths are checked here: pydantic's own constraints refuse
    a lone surrogate with an obscure error."""
    if len(text) > REASON_MAX:
        raise ValueError(f"Au plus {REASON_MAX} caractères.")
    text = _SPACES.sub(" ", text).strip(" ")
    text = "".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in text)
    if not text:
        raise ValueError("Le motif doit contenir au moins un caractère visible.")
    return text


def _iso_date(value):
    """YYYY-MM-DD only: pydantic would also read 0 as 1 January 1970 (a Unix timestamp)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Une date au format AAAA-MM-JJ est attendue.")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError("Cette date n'existe pas.") from None


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
# The Field before the validator, or pydantic publishes "ge"/"le" instead of "minimum"/"maximum".
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID), BeforeValidator(_integer)]
TypedCode = Annotated[StrictStr, Field(description="Le code tel que saisi ou scanné (tirets, espaces admis).")]
Codes = Annotated[list[TypedCode], Field(min_length=1, max_length=MAX_CODES, description=f"De 1 à {MAX_CODES} codes.")]


class Body(Schema):
    model_config = ConfigDict(extra="forbid")


class CheckIn(Body):
    place_id: Id = Field(description="Le lieu où les chèques seraient utilisés (un lieu de votre structure).")
    offer_id: Id | None = Field(
        None, description="Le service payé : avec lui, les règles d'usage du commanditaire sont aussi vérifiées."
    )
    codes: Codes


class RedemptionIn(Body):
    place_id: Id
    offer_id: Id = Field(description="Le service rendu ; son prix est celui de l'offre publiée.")
    codes: Codes


class CancelIn(Body):
    reason: Annotated[
        StrictStr,
        AfterValidator(_one_line),
        WithJsonSchema({"type": "string", "maxLength": REASON_MAX, "pattern": "\\S"}),
    ] = Field(
        description="Motif de l'annulation (erreur de saisie, service non rendu…) : un caractère visible au moins."
    )


class CheckedCode(Schema):
    index: int = Field(description="Rang du code dans la requête (à partir de 0).")
    code: str = Field(description="Le code tel que saisi (64 caractères au plus).")
    ok: bool
    problem: str = Field(description="Pourquoi le chèque serait refusé, en français ; vide s'il est valable.")
    serial: str | None = Field(None, description="Numéro imprimé sur le chèque, s'il existe.")
    valid_until: datetime.date | None = None
    face_value_cents: int | None = None


class CheckOut(Schema):
    ok: bool = Field(description="Vrai si tous les codes sont valables ici.")
    codes: list[CheckedCode]


class PlaceRef(Schema):
    id: int
    name: str


class OfferRef(Schema):
    id: int
    title: str


class RedemptionOut(Schema):
    id: int
    place: PlaceRef
    offer: OfferRef
    price_cents: int
    covered_cents: int
    remainder_cents: int = Field(description="Reste à payer par le bénéficiaire.")
    vouchers: list[str] = Field(description="Numéros des chèques utilisés.")
    created_at: datetime.datetime
    cancellable_until: datetime.datetime | None = Field(
        description="Limite d'annulation (24 heures), nulle une fois annulée ; le remboursement la clôt plus tôt."
    )
    cancelled_at: datetime.datetime | None
    cancel_reason: str


class RedemptionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RedemptionOut]


class RedemptionFilters(Schema):
    since: IsoDate | None = Field(None, description="Depuis ce jour (inclus), AAAA-MM-JJ.")
    until: IsoDate | None = Field(None, description="Jusqu'à ce jour (inclus), AAAA-MM-JJ ; pas avant `since`.")
    place_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class FieldProblem(Schema):
    field: str
    problem: str


class CodeProblem(Schema):
    index: int
    code: str
    problem: str


class Error(Schema):
    error: str = Field(description="Code stable, pour les logiciels (voir la description de l'API).")
    message: str = Field(description="Explication en français, à montrer telle quelle.")
    details: list[FieldProblem] | None = None
    codes: list[CodeProblem] | None = None
