"""The one helper for French numbers, plurals, lists and dates (ADR 0023), and the guard that keeps
templates on it."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from aptic.core import formats

N = "\u202f"  # the narrow no-break space of French typography, the helper's thousands separator


@pytest.mark.parametrize(
    "value,shown",
    [(0, "0"), (1, "1"), (999, "999"), (1500, f"1{N}500"), (30000, f"30{N}000"), (-1500, f"-1{N}500")],
)
def test_number(value, shown):
    assert formats.number(value) == shown


def test_number_keeps_decimals_and_documents_ask_for_the_space_their_font_has():
    assert formats.number(Decimal("1234.50")) == f"1{N}234,5"
    assert formats.number(1500, space=formats.NBSP) == "1\u00a0500"


@pytest.mark.parametrize(
    "n,shown",
    [(0, "0 chèque"), (1, "1 chèque"), (2, "2 chèques"), (1500, f"1{N}500 chèques"), (30000, f"30{N}000 chèques")],
)
def test_count_takes_the_singular_for_0_and_1(n, shown):
    assert formats.count(n, "chèque") == shown


def test_irregular_plurals_and_agreement():
    assert formats.count(0, "lieu", "lieux") == "0 lieu"
    assert formats.count(3, "lieu", "lieux") == "3 lieux"
    assert [formats.plural(n, "suffit", "suffisent") for n in (1, 2)] == ["suffit", "suffisent"]


@pytest.mark.parametrize(
    "items,shown", [([], ""), (["Gironde"], "Gironde"), (["A", "B"], "A et B"), (["A", "B", "C"], "A, B et C")]
)
def test_join(items, shown):
    assert formats.join(items) == shown


def test_dates_months_and_euros():
    assert formats.date(datetime.date(2026, 12, 31)) == "31/12/2026"
    assert formats.month(datetime.date(2026, 12, 1)) == "décembre 2026"
    # 23:30 UTC on 31 December is already 1 January in Paris.
    moment = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    assert formats.date(moment) == "01/01/2027" and formats.date_time(moment) == "01/01/2027 à 00h30"
    assert formats.euros(123456789) == f"1{N}234{N}567,89 €" and formats.euros(1000) == "10 €"
    assert formats.euros(1500000, space=formats.NBSP, unit_space=formats.NBSP, always_cents=True) == (
        "15\u00a0000,00\u00a0€"
    )


def test_validity_is_one_sentence_agreeing_with_its_count():
    until, grace = datetime.date(2026, 12, 31), datetime.date(2027, 1, 31)
    assert formats.validity(until, grace) == "valable jusqu'au 31/12/2026, accepté jusqu'au 31/01/2027"
    assert formats.validity(until, grace, count=10) == "valables jusqu'au 31/12/2026, acceptés jusqu'au 31/01/2027"
    assert formats.validity(until, until) == "valable jusqu'au 31/12/2026"


def test_the_filters_are_available_in_every_template_without_loading():
    template = Template(
        '{{ n|compte:"chèque" }} / {{ zero|compte:"lieu,lieux" }} {{ zero|accord:"accepte,acceptent" }} / '
        "{{ big|nombre }} / {{ names|liste }} / {{ day|date_fr }} / {{ day|mois }} / {{ at|date_heure }}"
    )
    context = Context(
        {
            "n": 1500,
            "zero": 0,
            "big": 30000,
            "names": ["Gironde", "Bordeaux Métropole", "Mérignac"],
            "day": datetime.date(2026, 12, 31),
            "at": timezone.make_aware(datetime.datetime(2026, 12, 31, 14, 5)),
        }
    )
    assert template.render(context) == (
        f"1{N}500 chèques / 0 lieu accepte / 30{N}000 / Gironde, Bordeaux Métropole et Mérignac / "
        "31/12/2026 / décembre 2026 / 31/12/2026 à 14h05"
    )


# --- The guard: every template, today's and tomorrow's, goes through the helper ---------------------

ROOT = Path(__file__).resolve().parents[3]
FORBIDDEN = {
    "(s)": re.compile(r"\w\(s\)"),  # "chèque(s)": say it once, agreeing with the count
    "|pluralize": re.compile(r"\|\s*pluralize"),  # English rule: 0 is plural ("0 chèques")
    "intcomma": re.compile(r"intcomma"),  # commas, not French spaces
    '|date:"…"': re.compile(r"\|\s*date\s*:"),  # dates read 31/12/2026 through |date_fr, |date_heure, |mois
    "hand-made plural": re.compile(r"\{%\s*if [^%]*[>!=]=?\s*1\s*%\}\s*[sx]\s*\{%"),  # lieu{% if n > 1 %}x{% endif %}
}


def templates():
    found = sorted(p for p in ROOT.glob("aptic/**/templates/**/*") if p.suffix in (".html", ".txt"))
    assert len(found) > 80  # the glob does see the project's templates
    return found


def test_no_template_formats_numbers_plurals_or_dates_by_hand():
    breaches = [
        f"{path.relative_to(ROOT)}:{number}: {name}"
        for path in templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for name, pattern in FORBIDDEN.items()
        if pattern.search(line)
    ]
    assert breaches == []


def test_the_guard_catches_each_pattern():
    samples = {
        "(s)": "{{ n }} chèque(s)",
        "|pluralize": "chèque{{ n|pluralize }}",
        "intcomma": "{{ n|intcomma }}",
        '|date:"…"': '{{ d|date:"j F Y" }}',
        "hand-made plural": "lieu{% if n > 1 %}x{% endif %}",
    }
    assert all(FORBIDDEN[name].search(sample) for name, sample in samples.items())


def test_a_value_of_the_wrong_kind_never_fails_the_page():
    template = Template('{{ s|nombre }}|{{ s|compte:"chèque" }}|{{ s|euros }}|{{ s|date_fr }}|{{ none|mois }}')
    assert template.render(Context({"s": "abc", "none": None})) == "abc|abc|abc||"
