"""Usage facts (ADR 0035): daily rollups of uses, handouts, shipments, expiries and stops, kept by
a periodic job that folds the events after a watermark.

Dimensions are plain columns, not foreign keys: a rollup row never blocks deleting or merging what
it counts, and the unique key needs NOT NULL columns (0 or "" stands for "none": a handout has no
place, a booklet not yet handed out no public)."""

from django.db import models

# The dimensions, in the order of the unique key; what the selectors group and filter by.
DIMENSIONS = (
    "day",
    "funder_id",
    "order_id",
    "place_id",
    "category_id",
    "typology_id",
    "commune",
    "epci",
    "departement",
    "region",
    "distributor_id",
    "public",
    "delay_days",
)
MEASURES = (
    "used",
    "used_cents",
    "services",
    "price_cents",
    "on_top_cents",
    "handed_out",
    "shipped",
    "expired",
    "stopped",
)
NO_DELAY = -1


class Measures(models.Model):
    """The counts every rollup keeps, summed over its dimensions."""

    used = models.BigIntegerField("chèques utilisés", default=0)
    used_cents = models.BigIntegerField("valeur utilisée (centimes)", default=0)
    services = models.BigIntegerField("services payés", default=0)
    price_cents = models.BigIntegerField("prix des services (centimes)", default=0)
    on_top_cents = models.BigIntegerField("payé en plus par les bénéficiaires (centimes)", default=0)
    handed_out = models.BigIntegerField("chèques remis", default=0)
    shipped = models.BigIntegerField("chèques expédiés", default=0)
    expired = models.BigIntegerField("chèques expirés", default=0)
    stopped = models.BigIntegerField("chèques en opposition", default=0)

    # The dimensions kept (the unique key), and "day" or "month": a monthly rollup's day is the
    # first of its month.
    DIMENSIONS: tuple = ()
    GRAIN = "day"
    # True for the cohorts (ADR 0055): "day" is the day of the vouchers' handout, not of the use.
    BY_HANDOUT = False

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.day} — commanditaire {self.funder_id}"


class UsageDaily(Measures):
    """Counts of one day for one combination of the dimensions: the finest rollup, which answers
    any question; the coarser ones below answer the dashboards' usual ones from fewer rows (ADR 0043).

    A use, and its cancellation, count on the day of the use, at its place, with the dimensions of
    the voucher's handout (distributor, public) and the days from handout to use (delay_days, -1 for
    everything else), so that a median over any filter is a sum of counts by delay. A redemption's
    own figures (services, price, paid on top) count once, on the row of its first voucher."""

    DIMENSIONS = DIMENSIONS

    day = models.DateField("jour")
    funder_id = models.IntegerField("commanditaire")
    order_id = models.IntegerField("commande")
    place_id = models.IntegerField("lieu", default=0)
    category_id = models.IntegerField("catégorie de service", default=0)
    # A place may have several typologies: its first (vocabulary order) stands for it.
    typology_id = models.IntegerField("typologie du lieu", default=0)
    commune = models.CharField("commune du lieu", max_length=5, default="")
    epci = models.CharField("EPCI", max_length=9, default="")
    departement = models.CharField("département", max_length=3, default="")
    region = models.CharField("région", max_length=3, default="")
    # The handout's distributor; for a voucher not handed out, the recipient of its shipment.
    distributor_id = models.IntegerField("aiguilleur", default=0)
    # The public recorded at handout (distribution.BeneficiaryCategory), "" if not handed out.
    public = models.CharField("public", max_length=20, default="")
    delay_days = models.IntegerField("jours de la remise à l'utilisation", default=NO_DELAY)

    class Meta:
        verbose_name = "indicateurs d'un jour"
        verbose_name_plural = "indicateurs par jour"
        constraints = [models.UniqueConstraint(fields=DIMENSIONS, name="usage_daily_dimensions")]
        indexes = [
            models.Index(fields=["funder_id", "day"], name="usage_daily_funder_day"),
            models.Index(fields=["distributor_id", "day"], name="usage_daily_distributor_day"),
            models.Index(fields=["place_id", "day"], name="usage_daily_place_day"),
            models.Index(fields=["day"], name="usage_daily_day"),
            # A page's series by day under a commune or EPCI filter reads the finest rollup: by these,
            # not the funder's whole range (full-scale bench: a page 1.1 s → 89 ms). Not by
            # département or public: too many rows of every funder, PostgreSQL's plan got slower.
            models.Index(fields=["commune", "day"], name="usage_daily_commune_day"),
            models.Index(fields=["epci", "day"], name="usage_daily_epci_day"),
            # The same within a funder: its rows of one EPCI, not every funder's there nor the whole
            # funder's range of a covering index (migration 0008: a read 200 → 47 ms, ADR 0062).
            models.Index(fields=["funder_id", "commune", "day"], name="usage_daily_funder_commune"),
            models.Index(fields=["funder_id", "epci", "day"], name="usage_daily_funder_epci"),
            # A page filtered by public, département, category or typology reads the finest rollup
            # over its funder's range: this index finds the rows matching them there, as one range
            # (a public, a département) or within the index (a category alone), ADR 0061. On
            # PostgreSQL it and usage_daily_funder_day carry every other column (INCLUDE, migration
            # 0008, ADR 0062): the rows are read from the index alone.
            models.Index(
                fields=["funder_id", "public", "departement", "category_id", "typology_id"],
                name="usage_daily_funder_narrow",
            ),
        ]

    def __str__(self):
        return f"{self.day} — commande {self.order_id}"


# The coarser rollups (ADR 0043), folded with UsageDaily in the same transaction. Each keeps a
# subset of the dimensions; the selectors read the smallest one holding every dimension a query
# groups or filters by. Their unique key leads with funder_id: one funder's dashboard is one range.


def _rollup(name: str, dimensions: tuple, grain: str, what: str, doc: str, indexed: tuple = (), by_handout=False):
    """A rollup model keeping `dimensions` (UsageDaily's fields) by day or by month."""
    attrs = {"__module__": __name__, "__doc__": doc, "DIMENSIONS": dimensions, "GRAIN": grain}
    attrs["BY_HANDOUT"] = by_handout
    for dimension in dimensions:
        attrs[dimension] = UsageDaily._meta.get_field(dimension).clone()
    if grain == "month":
        attrs["day"] = models.DateField("mois")
    period = "mois" if grain == "month" else "jour"
    table = name.removeprefix("Usage").lower()
    key = ("funder_id", "day", *dimensions[2:])
    attrs["Meta"] = type(
        "Meta",
        (),
        {
            "verbose_name": f"indicateurs d'un {period} par {what}",
            "verbose_name_plural": f"indicateurs par {period} et {what}",
            "constraints": [models.UniqueConstraint(fields=key, name=f"usage_{table}_key")],
            "indexes": [
                models.Index(fields=[d, "day"] if d != "day" else ["day"], name=f"usage_{table}_{d[:4]}")
                for d in indexed
            ],
        },
    )
    return type(name, (Measures,), attrs)


_BY = ("day", "funder_id", "order_id")
_TERRITORY = ("commune", "epci", "departement", "region")
UsageTerritoryMonthly = _rollup(
    "UsageTerritoryMonthly", (*_BY, "departement", "region"), "month", "territoire",
    "The staff's national dashboard (per funder, per département); a funder's figures over whole months.",
)  # fmt: skip
UsageCategoryMonthly = _rollup(
    "UsageCategoryMonthly", (*_BY, "category_id", "typology_id"), "month", "catégorie",
    "The breakdowns by service category and by place typology.",
)  # fmt: skip
UsagePublicMonthly = _rollup(
    "UsagePublicMonthly", (*_BY, "public", "distributor_id"), "month", "public",
    "The breakdowns by public and by distributor (the usage rate of what each handed out).",
    indexed=("distributor_id",),
)  # fmt: skip
UsagePlaceMonthly = _rollup(
    "UsagePlaceMonthly", (*_BY, "place_id", "category_id", "typology_id", *_TERRITORY), "month", "lieu",
    "Top places, by commune, by EPCI: the place with what it determines, and the service category.",
    indexed=("place_id",),
)  # fmt: skip
UsageFunderDaily = _rollup(
    "UsageFunderDaily", _BY, "day", "commanditaire",
    "Figures over any period; the charts over time (day, week, month).",
    indexed=("day",),
)  # fmt: skip
UsageDelayMonthly = _rollup(
    "UsageDelayMonthly", (*_BY, "delay_days"), "month", "délai", "The median days from handout to use."
)
UsageMonthly = _rollup(
    "UsageMonthly",
    (*_BY, "category_id", "typology_id", *_TERRITORY, "distributor_id", "public"),
    "month",
    "combinaison",
    "Every dimension but the place and the delay: filters combined.",
    indexed=("distributor_id",),
)


# A series by day under a public or distributor filter (the funder's handouts to a public, the
# distributor's dashboard) read UsageDaily: one day of the largest funder is 2,700 rows there, at most
# 210 here (ADR 0061). No other small daily rollup: on the days of a period's partial months, a page
# reads its places from UsageDaily, and its categories and delays in the same statement.
UsagePublicDaily = _rollup(
    "UsagePublicDaily", (*_BY, "public", "distributor_id"), "day", "public",
    "A series by day under a public or distributor filter; the breakdowns by public and distributor "
    "on the days of a period's partial months.",
    indexed=("distributor_id",),
)  # fmt: skip


# From the smallest to the finest (for one funder's year): the selectors read the first that can
# answer. The monthly cube (every dimension but place and delay) is for filters combined; the small
# daily one comes after it, so that whole months are read from the monthly ones.
ROLLUPS = (
    UsageTerritoryMonthly,
    UsageCategoryMonthly,
    UsagePublicMonthly,
    UsagePlaceMonthly,
    UsageFunderDaily,
    UsageDelayMonthly,
    UsageMonthly,
    UsagePublicDaily,
    UsageDaily,
)


# The usage rate's cohorts (ADR 0055): the uses of the vouchers whose handout is known, by the day
# or month of that handout ("day" is the handout's here), so that "handed out in the period, used
# since" is a range of rows, not a fold of UsageDaily by use day and delay. Not in ROLLUPS: only
# selectors.usage_by_handout reads them; other filters than these dimensions read UsageDaily.
_COHORT = (*_BY, "distributor_id", "public")
UsageCohortMonthly = _rollup(
    "UsageCohortMonthly", _COHORT, "month", "remise",
    "Vouchers used, by the month of their handout, distributor and public.", by_handout=True,
)  # fmt: skip
UsageCohortDaily = _rollup(
    "UsageCohortDaily", _COHORT, "day", "remise",
    "Vouchers used, by the day of their handout, distributor and public.", by_handout=True,
)  # fmt: skip
COHORTS = (UsageCohortMonthly, UsageCohortDaily)


class Watermark(models.Model):
    """How far the rollups have folded one source table: every row with an id up to last_id.

    On PostgreSQL a lower id may commit after a higher one, so the refresh notes the highest id it
    saw with the transactions then running in the database (pending_id, pending_xids) and folds up
    to it only once they have all ended (services.usage_refresh)."""

    source = models.CharField("source", max_length=40, primary_key=True)
    last_id = models.BigIntegerField("dernier id intégré", default=0)
    pending_id = models.BigIntegerField(null=True, blank=True)
    pending_xids = models.JSONField(default=list, blank=True)
    pending_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField("mis à jour le", null=True, blank=True)

    class Meta:
        verbose_name = "filigrane des indicateurs"
        verbose_name_plural = "filigranes des indicateurs"

    def __str__(self):
        return f"{self.source} ≤ {self.last_id}"


from .models_exports import Export, ExportFormat  # noqa: E402,F401 (the exports' model, ADR 0042)
