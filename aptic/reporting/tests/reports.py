"""A report as a dashboard builds one, for the exports' tests: every unit, a formula-looking name."""

import datetime
from decimal import Decimal

from django.utils import timezone

from aptic.reporting.report import Breakdown, Column, Figure, MapPoint, Report, Unit

HOSTILE = '=HYPERLINK("http://x";"clic")'


def sample_report(*, brand=None, places=(("Fablab du Forez", 12, 30000),)) -> Report:
    return Report(
        title="Tableau de bord",
        organisation="Département de la Loire",
        filters=(("Période", "du 01/01/2026 au 31/12/2026"), ("Catégorie de service", "Démarches en ligne")),
        figures=(
            Figure("used", "Chèques utilisés", 12340),
            Figure("used_cents", "Valeur utilisée", 12340_00, Unit.CENTS),
            Figure("rate", "Taux d'utilisation", Decimal("0.4567"), Unit.RATE),
            Figure("delay", "Délai médian", Decimal("12.5"), Unit.DAYS),
            Figure("none", "Taux sur achetés", None, Unit.RATE),
        ),
        breakdowns=(
            Breakdown(
                "months",
                "Utilisations par mois",
                (Column("month", "Mois", Unit.DATE), Column("used", "Chèques utilisés", Unit.COUNT)),
                ((datetime.date(2026, 1, 1), 1200), (datetime.date(2026, 2, 1), 1500)),
                summary="Les utilisations montent de janvier à février.",
                chart="line",
                value_key="used",
            ),
            Breakdown(
                "places",
                "Lieux les plus utilisés",
                (
                    Column("place", "Lieu"),
                    Column("used", "Chèques utilisés", Unit.COUNT),
                    Column("value", "Valeur", Unit.CENTS),
                    Column("rate", "Part", Unit.RATE),
                ),
                tuple((name, used, cents, Decimal("0.25")) for name, used, cents in places)
                + ((HOSTILE, 3, 3000, None),),
                summary="Le Fablab du Forez concentre le plus d'utilisations.",
                value_key="used",
            ),
        ),
        generated_at=timezone.make_aware(datetime.datetime(2026, 12, 7, 9, 30)),
        points=(
            MapPoint("Fablab du Forez", 45.43, 4.39, 12),
            MapPoint("Médiathèque de Roanne", 46.03, 4.07, 3),
            MapPoint("Tiers-lieu de Montbrison", 45.60, 4.06, 0, kind="eligible"),
        ),
        brand=brand,
    )
