"""The one SIRET rule: spaces ignored, length and key checked, the caller's French words on refusal."""

import pytest

from aptic.core.errors import DomainError
from aptic.core.identifiers import clean_siret

WORDS = {"missing": "Rien.", "invalid": "Pas « {raw} »."}


def test_clean_siret_keeps_digits_of_a_valid_number():
    assert clean_siret(" 732 829 320 00074 ", **WORDS) == "73282932000074"


@pytest.mark.parametrize(("raw", "message"), [("", "Rien."), ("73282932000075", "Pas « 73282932000075 ».")])
def test_clean_siret_refuses_with_the_callers_words(raw, message):
    with pytest.raises(DomainError) as refused:
        clean_siret(raw, **WORDS)
    assert (refused.value.message, refused.value.field) == (message, "siret")


def test_a_siren_only_where_allowed():
    assert clean_siret("732 829 320", siren_allowed=True, **WORDS) == "732829320"
    with pytest.raises(DomainError):
        clean_siret("732829320", **WORDS)
