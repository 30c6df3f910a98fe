"""The dashboards' filters read from the URL (ADR 0038): a valid view gives the usage lookups and
the French lines of the report; anything else is a DomainError in French."""

import datetime
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone

from aptic.core.errors import DomainError
from aptic.reporting.filters import FilterOptions, parse_filters
from aptic.reporting.report import Breakdown, Column, Figure, Report, Unit

TODAY = datetime.date(2026, 12, 7)
OPTIONS = FilterOptions(
    orders=(("12", "Commande n° 12 — Seniors"), ("15", "Commande n° 15")),
    communes=(("42218", "Saint-Étienne"),),
    epcis=(("244200770", "Saint-Étienne Métropole"),),
    departements=(("42", "Loire (42)"),),
    categories=(("3", "Initiation"),),
    typologies=(("5", "Fablab"),),
    distributors=(("8", "Maison France Services"),),
    publics=(("senior", "Senior"),),
)


def parse(query: str):
    return parse_filters(QueryDict(query), options=OPTIONS, today=TODAY)


def test_no_query_is_since_the_start_until_today():
    filters = parse("")
    assert filters.lookups() == {"day__lte": TODAY}
    assert filters.lines() == (("Période", "Depuis le début, jusqu'au 07/12/2026"),)


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("periode=mois", datetime.date(2026, 12, 1), TODAY),
        ("periode=annee", datetime.date(2026, 1, 1), TODAY),
        ("periode=dates&du=2026-03-01&au=2026-03-31", datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
        ("du=01/03/2026&au=31/03/2026", datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
        # Nothing happened after today yet: a period reaching into the future stops today.
        ("du=01/12/2026&au=31/12/2026", datetime.date(2026, 12, 1), TODAY),
    ],
)
def test_periods(query, start, end):
    filters = parse(query)
    assert (filters.start, filters.end) == (start, end)
    if filters.period == "dates":
        assert filters.lines() == (("Période", f"Du {start:%d/%m/%Y} au {end:%d/%m/%Y}"),)
    assert filters.lookups() == {"day__gte": start, "day__lte": end}


def test_every_filter_becomes_a_lookup_and_a_line():
    filters = parse(
        "periode=annee&commande=15&commande=12&commune=42218&epci=244200770&departement=42"
        "&categorie=3&typologie=5&aiguilleur=8&public=senior"
    )
    assert filters.lookups() == {
        "day__gte": datetime.date(2026, 1, 1),
        "day__lte": TODAY,
        "order_id__in": [12, 15],
        "commune": "42218",
        "epci": "244200770",
        "departement": "42",
        "category_id": 3,
        "typology_id": 5,
        "distributor_id": 8,
        "public": "senior",
    }
    # Handouts, shipments, expiries and stops have no place: the place filters leave them alone.
    assert filters.lookups(places=False, publics=False) == {
        "day__gte": datetime.date(2026, 1, 1),
        "day__lte": TODAY,
        "order_id__in": [12, 15],
        "distributor_id": 8,
    }
    assert dict(filters.lines()) == {
        "Période": "Cette année (du 01/01/2026 au 07/12/2026)",
        "Commandes": "Commande n° 12 — Seniors et Commande n° 15",
        "Commune": "Saint-Étienne",
        "EPCI": "Saint-Étienne Métropole",
        "Département": "Loire (42)",
        "Catégorie de service": "Initiation",
        "Typologie de lieu": "Fablab",
        "Aiguilleur": "Maison France Services",
        "Public": "Senior",
    }
    assert parse(filters.query()) == filters  # the view's own link reads back the same view


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("commande=99", "n'est pas l'une des vôtres"),
        ("commande=²", "n'est pas l'une des vôtres"),
        ("commune=69123", "pas dans le territoire de ce tableau de bord"),
        ("epci=200046977", "pas dans le territoire de ce tableau de bord"),
        ("departement=69", "pas dans le territoire de ce tableau de bord"),
        ("categorie=4", "n'existe pas"),
        ("typologie=" + "9" * 30, "n'existe pas"),
        ("aiguilleur=9", "n'a reçu ni remis"),
        ("public=martien", "n'existe pas"),
        ("commune=42218&commune=42218", "pas dans le territoire de ce tableau de bord"),
        ("periode=semaine", "Cette période n'existe pas"),
        ("periode=dates&du=2026-03-01", "date de début et la date de fin"),
        ("periode=dates&du=2026-03-31&au=2026-03-01", "doit précéder la date de fin"),
        ("periode=dates&du=1900-01-01&au=2026-03-01", "comprise entre le 01/01/2000 et le 31/12/2026"),
        ("periode=dates&du=2026-01-01&au=9999-12-31", "comprise entre"),
        ("periode=dates&du=2026-02-30&au=2026-03-01", "n'est pas une date"),
        ("periode=dates&du=demain&au=2026-03-01", "n'est pas une date"),
        ("periode=dates&du=2026-12-20&au=2026-12-31", "commence après aujourd'hui"),
        ("q=" + "x" * 10_000, "trop longue"),
    ],
)
def test_bad_input_is_a_french_domain_error(query, message):
    with pytest.raises(DomainError, match=message):
        parse(query)


def test_the_report_renders_figures_tables_captions_and_summaries():
    report = Report(
        title="Tableau de bord",
        organisation="Département de test",
        filters=(("Période", "Depuis le début"),),
        figures=(
            Figure("used", "Chèques utilisés", 12340),
            Figure("rate", "Taux d'utilisation", Decimal("0.4567"), Unit.RATE),
            Figure("value", "Valeur utilisée", 123450, Unit.CENTS),
            Figure("median", "Délai médian", None, Unit.DAYS),
        ),
        breakdowns=(
            Breakdown(
                key="categories",
                title="Par catégorie de service",
                columns=(Column("category", "Catégorie"), Column("used", "Chèques utilisés", Unit.COUNT)),
                rows=(("Initiation", 1500), ("Fablab", 20)),
                summary="Initiation rassemble 99 % des chèques utilisés.",
                value_key="used",
            ),
            Breakdown(key="empty", title="Par lieu", columns=(Column("place", "Lieu"),), rows=()),
        ),
        generated_at=timezone.now(),
        notes=("Une note.",),
    )
    html = render_to_string("reporting/_report.html", {"report": report})
    assert "12\u202f340" in html and "45,7\u202f%" in html and "1\u202f234,50 €" in html and "—" in html
    assert '<caption id="detail-categories-legende">Par catégorie de service</caption>' in html
    assert "Initiation rassemble 99 % des chèques utilisés." in html
    assert 'data-table="detail-categories-table" data-column="1"' in html
    assert '<th scope="row">Initiation</th><td class="num" data-value="1500">1\u202f500</td>' in html
    assert "Aucune donnée pour cette vue." in html and "Une note." in html


def test_the_best_rate_sentence_picks_the_highest_rate_over_the_most_vouchers_and_never_a_zero():
    from aptic.reporting.tables import best_rate_summary

    rows = (("Petit", 2, Decimal("0.5")), ("Grand", 400, Decimal("0.5")), ("Sans remise", 0, None))
    sentence = best_rate_summary(rows, label_index=0, rate_index=2, base_index=1, what="par aiguilleur")
    assert sentence == "Le meilleur taux d'utilisation par aiguilleur : Grand, 50,0\u202f% (sur 400 chèques remis)."
    zeros = (("Département", 120, Decimal("0")), ("Solidarités", 0, None))
    assert best_rate_summary(zeros, label_index=0, rate_index=2, base_index=1, what="par aiguilleur") == (
        "Taux d'utilisation par aiguilleur : aucun des chèques remis sur la période n'a encore été utilisé."
    )


def test_a_rate_is_rounded_once_where_it_is_shown():
    from aptic.core import formats
    from aptic.reporting.tables import rate

    assert formats.percent(rate(3180, 21860)) == "14,5\u202f%"  # 14.547 %: not 14.55 then 14.6
    assert rate(1, 0) is None
