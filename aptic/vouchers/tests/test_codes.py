"""Voucher codes: random, unique, readable aloud, and a typo is caught before any lookup."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aptic.vouchers import codes


def test_codes_are_16_symbols_of_the_unambiguous_alphabet_and_unique():
    generated = codes.generate(20_000)
    assert len(set(generated)) == 20_000
    assert all(len(c) == 16 and set(c) <= set(codes.ALPHABET) for c in generated)
    assert not set("ILOU") & set("".join(generated))


def test_at_least_60_random_bits():
    assert codes.RANDOM_LENGTH * 5 >= 60


@pytest.mark.parametrize(
    "typed",
    ["{g}", "{d}", "{d_lower}", " {d_spaces} ", "{d_dots}", "{fullwidth}", "{cyrillic_or_o}"],
)
def test_typed_forms_normalise_to_the_stored_code(typed):
    code = "K7QM3XH9PZ2W8RT" + codes.check_symbol("K7QM3XH9PZ2W8RT")
    display = codes.display(code)
    forms = {
        "g": code,
        "d": display,
        "d_lower": display.lower(),
        "d_spaces": display.replace("-", " "),
        "d_dots": display.replace("-", "."),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in code),  # ＫＭ… as some phones type
        "cyrillic_or_o": code.replace("K", "К").replace("M", "М"),  # Cyrillic capitals К, М
    }
    assert codes.normalise(typed.format(**forms)) == code


def test_crockford_lookalikes_are_read_as_digits():
    body = "0123456789ABCDE"
    code = body + codes.check_symbol(body)
    assert codes.normalise(code.replace("0", "O").replace("1", "I", 1)) == code


@pytest.mark.parametrize(
    "typed,message",
    [
        ("", "Saisissez le code"),
        ("   ", "Saisissez le code"),
        ("ABCD", "16 caractères ; celui-ci en a 4"),
        ("A" * 65, "trop long"),
        ("K7QM-3XH9-PZ2W-8RT#", "caractères qui n'existent pas"),
        ("K7QM-3XH9-PZ2W-8RT😀", "caractères qui n'existent pas"),
        (None, "Saisissez le code"),
    ],
)
def test_bad_codes_get_a_french_message(typed, message):
    with pytest.raises(codes.CodeError, match=message):
        codes.normalise(typed)


def test_a_wrong_check_character_is_caught():
    code = codes.generate(1)[0]
    wrong = code[:-1] + next(c for c in codes.ALPHABET if c != code[-1])
    with pytest.raises(codes.CodeError, match="erreur de saisie"):
        codes.normalise(wrong)


@given(st.data())
def test_single_typos_and_swaps_are_caught_except_zero_z(data):
    code = codes.generate(1)[0]
    i = data.draw(st.integers(0, 15))
    other = data.draw(st.sampled_from([c for c in codes.ALPHABET if c != code[i]]))
    typo = code[:i] + other + code[i + 1 :]
    if {code[i], other} != {"0", "Z"}:
        with pytest.raises(codes.CodeError):
            codes.normalise(typo)
    j = data.draw(st.integers(0, 14))
    swapped = code[:j] + code[j + 1] + code[j] + code[j + 2 :]
    if code[j] != code[j + 1] and {code[j], code[j + 1]} != {"0", "Z"}:
        with pytest.raises(codes.CodeError):
            codes.normalise(swapped)


@given(st.text(max_size=80))
def test_any_text_is_either_a_code_or_a_french_refusal(text):
    try:
        assert len(codes.normalise(text)) == 16
    except codes.CodeError as exc:
        assert str(exc)
