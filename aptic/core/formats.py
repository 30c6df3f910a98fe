"""How numbers, money, dates, plurals and lists read in French, on every page and document (ADR 0023).

The one home for these rules: templates reach it through the `aptic` template library
(`|nombre`, `|euros`, `|pourcent`, `|date_fr`, `|mois`, `|compte`, `|accord`, `|liste`), Python code (messages,
PDFs, e-mails) imports it. Thousands are grouped with a narrow no-break space (U+202F), as French
typography and CLDR's French locale do; PDFs drawn with a font that has no such glyph ask for the
ordinary no-break space (U+00A0) with `space=NBSP`.
"""

import datetime
import unicodedata
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

NNBSP = "\u202f"  # narrow no-break space: thousands, the web
NBSP = "\u00a0"  # no-break space: thousands in PDFs drawn with Vera, which lacks U+202F

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def number(value, *, space: str = NNBSP, decimals: int | None = None) -> str:
    """30000 → '30 000'; -1500 → '-1 500'; 1234.5 → '1 234,5' (the grouping space is no-break).
    With `decimals`, exactly that many, rounded half up: a column of rates reads 22,88 above 44,10."""
    exact = Decimal(str(value))
    if decimals is not None:
        exact = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if exact < 0 else ""
    whole, _, fraction = f"{abs(exact):f}".partition(".")
    if decimals is None:
        fraction = fraction.rstrip("0")
    return sign + f"{int(whole):,}".replace(",", space) + (f",{fraction}" if fraction else "")


PERCENT_DIGITS = 1  # every percentage shows one decimal, on pages and in files: 9,0 % beside 9,6 %


def percent_points(rate) -> Decimal:
    """A rate from 0 to 1 as the percentage written in a file's cell: one decimal, rounded half up;
    a share too small for it keeps two significant digits (0.00023 → 0.023), never reading 0."""
    exact = Decimal(str(rate)) * 100
    shown = exact.quantize(Decimal(1).scaleb(-PERCENT_DIGITS), rounding=ROUND_HALF_UP)
    if shown or not exact:
        return shown
    return exact.quantize(Decimal(1).scaleb(exact.adjusted() - 1), rounding=ROUND_HALF_UP)


def percent(rate, *, space: str = NNBSP) -> str:
    """A rate from 0 to 1 as a percentage with one decimal: Decimal('0.4567') → '45,7 %',
    Decimal('0.09') → '9,0 %' (rounded half up, the sign after a no-break space, as French typography
    writes it). A share above zero too small to show reads '< 0,1 %', never '0 %'."""
    exact = Decimal(str(rate))
    shown = (exact * 100).quantize(Decimal(1).scaleb(-PERCENT_DIGITS), rounding=ROUND_HALF_UP)
    if exact and not shown:
        least = number(Decimal(1).scaleb(-PERCENT_DIGITS), space=space)
        return f"{'> -' if exact < 0 else '<'}{space}{least}{space}%"
    return f"{number(shown, space=space, decimals=PERCENT_DIGITS)}{space}%"


def euros(cents, *, space: str = NNBSP, unit_space: str = " ", always_cents: bool = False) -> str:
    """1250 → '12,50 €'; 1000 → '10 €' (or '10,00 €' with always_cents, for documents)."""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    shown = sign + number(whole, space=space)
    if rest or always_cents:
        shown += f",{rest:02d}"
    return f"{shown}{unit_space}€"


def _local(moment):
    # An aware datetime reads in the site's time zone (Europe/Paris), as Django's |date does.
    if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
        return timezone.localtime(moment)
    return moment


def date(day: datetime.date | datetime.datetime) -> str:
    """31/12/2026: the one way a date reads, on pages and documents."""
    return f"{_local(day):%d/%m/%Y}"


def date_time(moment: datetime.datetime) -> str:
    """31/12/2026 à 14h05."""
    moment = _local(moment)
    return f"{moment:%d/%m/%Y} à {moment:%H}h{moment:%M}"


def month(day: datetime.date) -> str:
    """décembre 2026."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def plural(count, singular: str, plural_form: str | None = None) -> str:
    """The word agreeing with count, by the French rule: 0 and 1 take the singular.

    plural_form defaults to singular + 's' ('chèque' → 'chèques'); give it for the others
    ('lieu', 'lieux'), ('suffit', 'suffisent')."""
    if abs(int(count)) < 2:
        return singular
    return plural_form if plural_form is not None else singular + "s"


def count(value, singular: str, plural_form: str | None = None, *, space: str = NNBSP) -> str:
    """1500, 'chèque' → '1 500 chèques'; 0 → '0 chèque'; 1 → '1 chèque'."""
    return f"{number(value, space=space)} {plural(value, singular, plural_form)}"


def join(items: Iterable, *, last: str = "et") -> str:
    """['A', 'B', 'C'] → 'A, B et C'; ['A'] → 'A'; [] → ''."""
    words = [str(item) for item in items if str(item)]
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def validity(valid_until: datetime.date, grace_until: datetime.date | None, *, count: int = 1) -> str:
    """The one sentence on how long vouchers can be used, on pages, vouchers and letters:
    "valable jusqu'au 31/12/2026, accepté jusqu'au 31/01/2027" (agreeing with count: "valables",
    "acceptés"); without a tolerance period, the first half only."""
    sentence = f"{plural(count, 'valable')} jusqu'au {date(valid_until)}"
    if grace_until and grace_until > valid_until:
        sentence += f", {plural(count, 'accepté')} jusqu'au {date(grace_until)}"
    return sentence


# An organisation is named as it calls itself ("Département de la Gironde", "CCAS de Saint-Étienne"):
# the article a sentence needs comes from the gender of the name's first word, compared without
# accents or case. A proper name ("Bordeaux Métropole", "Atlantique Énergies") takes none.
_MASCULINE = frozenset(
    {
        "ccas",
        "cias",
        "centre",
        "club",
        "comite",
        "conseil",
        "departement",
        "etablissement",
        "fonds",
        "groupement",
        "hopital",
        "institut",
        "office",
        "pays",
        "pole",
        "reseau",
        "service",
        "syndicat",
        "territoire",
    }
)
_FEMININE = frozenset(
    {
        "agence",
        "association",
        "caisse",
        "chambre",
        "collectivite",
        "communaute",
        "commune",
        "cooperative",
        "direction",
        "federation",
        "fondation",
        "maison",
        "mairie",
        "metropole",
        "mission",
        "mutuelle",
        "prefecture",
        "region",
        "societe",
        "union",
        "universite",
        "ville",
    }
)


def the(name: str, *, capital: bool = False) -> str:
    """An organisation's name with its article: 'Département de la Gironde' → 'le Département de la
    Gironde' ('Le …' with capital), 'Agence X' → "l'Agence X", 'Bordeaux Métropole' unchanged."""
    name = " ".join(str(name).split())
    head = unicodedata.normalize("NFKD", name.split(" ", 1)[0] if name else "")
    head = "".join(c for c in head if c.isalpha()).lower()
    if head in _MASCULINE or head in _FEMININE:
        article = "l'" if head[0] in "aeiouyh" else "le " if head in _MASCULINE else "la "
        return (article.capitalize() if capital else article) + name
    return name
