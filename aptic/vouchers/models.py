"""Orders, booklets and vouchers; their events; redemptions at providers' places.

A voucher row is kept narrow (a million per order): its serial number derives from its order and
sequence, its face value and rules from its order.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from aptic.accounts.models import Organisation, OrganisationKind
from aptic.core import formats

# The ranges an order's numbers stay in (quotes and orders alike; ADR 0022): beyond, a typing mistake.
MAX_QUANTITY = 5_000_000  # vouchers in one order
FACE_VALUE_MIN_CENTS = 100  # 1 €
FACE_VALUE_MAX_CENTS = 200_00  # 200 €


class Activation(models.TextChoices):
    ON_ISSUE = "on_issue", "Dès l'émission"
    ON_DISTRIBUTION = "on_distribution", "À la remise au bénéficiaire"


# The usage rules' many-to-many fields, in the order the forms and documents list them.
RULE_FIELDS = ("rule_communes", "rule_epcis", "rule_departements", "rule_regions", "rule_typologies", "rule_categories")


class UsageRules(models.Model):
    """The usage rules a funder sets: drafted on a quote, carried into the order, checked at every redemption.

    An empty rule does not restrict.
    """

    max_vouchers_per_act = models.PositiveSmallIntegerField("chèques au plus par service rendu", null=True, blank=True)
    rule_communes = models.ManyToManyField("territories.Commune", blank=True, verbose_name="communes", related_name="+")
    rule_epcis = models.ManyToManyField("territories.Epci", blank=True, verbose_name="EPCI", related_name="+")
    rule_departements = models.ManyToManyField(
        "territories.Departement", blank=True, verbose_name="départements", related_name="+"
    )
    rule_regions = models.ManyToManyField("territories.Region", blank=True, verbose_name="régions", related_name="+")
    rule_typologies = models.ManyToManyField(
        "vocabulary.PlaceTypology", blank=True, verbose_name="types de lieux", related_name="+"
    )
    rule_categories = models.ManyToManyField(
        "vocabulary.ServiceCategory", blank=True, verbose_name="catégories de services", related_name="+"
    )

    class Meta:
        abstract = True


class Order(UsageRules):
    """A funder's order of vouchers, with the usage rules they carry."""

    funder = models.ForeignKey(
        Organisation,
        verbose_name="commanditaire",
        on_delete=models.PROTECT,
        related_name="orders",
        limit_choices_to={"kind": OrganisationKind.FUNDER},
    )
    label = models.CharField("intitulé", max_length=200, blank=True)
    quantity = models.PositiveIntegerField("nombre de chèques")
    face_value_cents = models.PositiveIntegerField("valeur faciale (centimes)", default=1000)
    booklet_size = models.PositiveSmallIntegerField("chèques par carnet", default=10)
    valid_from = models.DateField("valable du")
    valid_until = models.DateField("valable jusqu'au")
    grace_until = models.DateField("toléré jusqu'au")
    activation = models.CharField("activation", max_length=20, choices=Activation.choices, default="on_issue")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    issued_at = models.DateTimeField("émise le", null=True, blank=True)

    class Meta:
        verbose_name = "commande"
        verbose_name_plural = "commandes"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_quantity_positive"),
            models.CheckConstraint(condition=models.Q(face_value_cents__gt=0), name="order_face_value_positive"),
            models.CheckConstraint(
                condition=models.Q(
                    face_value_cents__gte=FACE_VALUE_MIN_CENTS, face_value_cents__lte=FACE_VALUE_MAX_CENTS
                )
                & models.Q(quantity__lte=MAX_QUANTITY),
                name="order_amounts_in_range",
            ),
            models.CheckConstraint(condition=models.Q(booklet_size__in=[5, 10]), name="order_booklet_size"),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from"))
                & models.Q(grace_until__gte=models.F("valid_until")),
                name="order_validity_dates",
            ),
            models.CheckConstraint(
                condition=models.Q(max_vouchers_per_act__isnull=True) | models.Q(max_vouchers_per_act__gt=0),
                name="order_max_per_act_positive",
            ),
            models.CheckConstraint(condition=models.Q(activation__in=Activation.values), name="order_activation"),
        ]

    def __str__(self):
        return f"Commande n° {self.pk} — {self.funder}"

    @property
    def year(self) -> int:
        return self.valid_from.year

    def serial(self, sequence: int) -> str:
        """Printed on the voucher and read on the phone: year, order, rank — 2026-00042-0000137."""
        return f"{self.year}-{self.pk:05d}-{sequence:07d}"

    def is_expired(self, day: datetime.date) -> bool:
        return day > self.grace_until

    @property
    def validity(self) -> str:
        """The one wording of validity, "valable jusqu'au 31/12/2026, accepté jusqu'au 31/01/2027" (ADR 0023)."""
        return formats.validity(self.valid_until, self.grace_until)


class Booklet(models.Model):
    """Vouchers first_sequence … first_sequence + size - 1 of its order."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="booklets")
    number = models.PositiveIntegerField("carnet n°")
    first_sequence = models.PositiveIntegerField("premier chèque")
    size = models.PositiveSmallIntegerField("chèques")

    class Meta:
        verbose_name = "carnet"
        verbose_name_plural = "carnets"
        ordering = ["order", "number"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="booklet_number_unique")]

    def __str__(self):
        return f"Carnet {self.number} de la commande {self.order_id}"

    @property
    def vouchers(self):
        return Voucher.objects.filter(
            order_id=self.order_id, sequence__gte=self.first_sequence, sequence__lt=self.first_sequence + self.size
        )


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", "Émis"
    ACTIVE = "active", "Actif"
    REDEEMED = "redeemed", "Utilisé"
    REIMBURSED = "reimbursed", "Remboursé à la structure"
    EXPIRED = "expired", "Expiré"
    STOPPED = "stopped", "Mis en opposition"


UNREDEEMED = (VoucherStatus.ISSUED, VoucherStatus.ACTIVE, VoucherStatus.STOPPED)


class Voucher(models.Model):
    # Few indexes and foreign keys, as a million rows go in at once: (order, sequence) serves order
    # and booklet lookups (a booklet is a range of sequences, see Booklet), the code has its own
    # index, the redemption a partial one.
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="vouchers", db_index=False)
    sequence = models.PositiveIntegerField("rang dans la commande")
    # Normalised (16 symbols, no separators): see codes.py. Unique by a constraint rather than
    # unique=True, which on PostgreSQL adds a second, pattern (LIKE) index nothing uses.
    code = models.CharField("code", max_length=16)
    status = models.CharField("état", max_length=12, choices=VoucherStatus.choices)
    # Where a stopped voucher returns when the stop is lifted.
    status_before_stop = models.CharField(max_length=12, choices=VoucherStatus.choices, blank=True)
    redemption = models.ForeignKey(
        "Redemption", on_delete=models.PROTECT, null=True, blank=True, related_name="vouchers", db_index=False
    )

    class Meta:
        verbose_name = "chèque"
        verbose_name_plural = "chèques"
        constraints = [
            models.UniqueConstraint(fields=["order", "sequence"], name="voucher_sequence_unique"),
            models.UniqueConstraint(fields=["code"], name="voucher_code_unique"),
            models.CheckConstraint(condition=models.Q(status__in=VoucherStatus.values), name="voucher_status"),
            # Spent vouchers point at their redemption; others never do.
            models.CheckConstraint(
                condition=models.Q(status__in=["redeemed", "reimbursed"], redemption__isnull=False)
                | (~models.Q(status__in=["redeemed", "reimbursed"]) & models.Q(redemption__isnull=True)),
                name="voucher_redemption_matches_status",
            ),
        ]
        indexes = [
            models.Index(
                fields=["redemption"], condition=models.Q(redemption__isnull=False), name="voucher_redemption_idx"
            )
        ]

    def __str__(self):
        return self.serial

    @property
    def serial(self) -> str:
        return self.order.serial(self.sequence)

    @property
    def booklet_number(self) -> int:
        return (self.sequence - 1) // self.order.booklet_size + 1


class VoucherEvent(models.Model):
    """Append-only: every state change of a voucher — who, when, from, to, why."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField("de", max_length=12, choices=VoucherStatus.choices)
    to_status = models.CharField("vers", max_length=12, choices=VoucherStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    reason = models.CharField("motif", max_length=250, blank=True)
    redemption = models.ForeignKey("Redemption", on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "événement de chèque"
        verbose_name_plural = "événements de chèques"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.voucher_id} : {self.from_status} → {self.to_status}"


class Redemption(models.Model):
    """A service paid, all or partly, with vouchers at a labelled provider's place."""

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="redemptions")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="redemptions")
    offer = models.ForeignKey("places.Offer", on_delete=models.PROTECT, related_name="redemptions")
    price_cents = models.PositiveIntegerField("prix du service (centimes)")
    covered_cents = models.PositiveIntegerField("payé en chèques (centimes)")
    remainder_cents = models.PositiveIntegerField("reste à payer par le bénéficiaire (centimes)")
    voucher_count = models.PositiveSmallIntegerField("chèques")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("le", default=timezone.now, db_index=True)
    # A retried API request with the same key gets the first answer (per provider).
    idempotency_key = models.CharField(max_length=100, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField("motif d'annulation", max_length=250, blank=True)

    class Meta:
        verbose_name = "utilisation"
        verbose_name_plural = "utilisations"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(voucher_count__gt=0), name="redemption_has_vouchers"),
            models.CheckConstraint(
                condition=models.Q(remainder_cents=models.F("price_cents") - models.F("covered_cents"))
                | models.Q(remainder_cents=0, covered_cents__gte=models.F("price_cents")),
                name="redemption_remainder",
            ),
            models.CheckConstraint(
                condition=models.Q(cancelled_at__isnull=True) | ~models.Q(cancel_reason=""),
                name="redemption_cancel_has_reason",
            ),
            models.UniqueConstraint(
                fields=["provider", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="redemption_idempotency_key",
            ),
        ]

    def __str__(self):
        return f"Utilisation n° {self.pk}"


class RedemptionLine(models.Model):
    """One voucher in a redemption. The partial unique constraint is the second barrier against
    spending a voucher twice: at most one live line per voucher."""

    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, related_name="lines")
    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemption_lines")
    amount_cents = models.PositiveIntegerField("valeur (centimes)")
    is_cancelled = models.BooleanField(default=False)

    class Meta:
        verbose_name = "chèque utilisé"
        verbose_name_plural = "chèques utilisés"
        constraints = [
            models.UniqueConstraint(
                fields=["voucher"], condition=models.Q(is_cancelled=False), name="voucher_spent_once"
            ),
        ]

    def __str__(self):
        return f"{self.redemption_id} / {self.voucher_id}"


class RatingStatus(models.TextChoices):
    PUBLISHED = "published", "Publié"
    HELD = "held", "En attente de modération"
    HIDDEN = "hidden", "Masqué"


class Rating(models.Model):
    """A beneficiary's rating of a service paid with vouchers, given from a voucher's public page.

    One per redemption (one service act): the vouchers that paid it together share it, so paying
    with three vouchers does not give three votes. Hidden ratings count nowhere; held ones count in
    the average but their comment waits for staff (ratings.py)."""

    redemption = models.OneToOneField(
        Redemption, verbose_name="utilisation", on_delete=models.PROTECT, related_name="rating"
    )
    voucher = models.ForeignKey(
        Voucher, verbose_name="chèque", on_delete=models.PROTECT, related_name="ratings", db_index=False
    )
    place = models.ForeignKey("places.Place", verbose_name="lieu", on_delete=models.PROTECT, related_name="ratings")
    offer = models.ForeignKey(
        "places.Offer", verbose_name="service", on_delete=models.PROTECT, related_name="ratings", db_index=False
    )
    score = models.PositiveSmallIntegerField("note sur 5")
    comment = models.CharField("commentaire", max_length=1000, blank=True)
    status = models.CharField("état", max_length=12, choices=RatingStatus.choices, default=RatingStatus.PUBLISHED)
    created_at = models.DateTimeField("donné le", default=timezone.now)
    moderated_at = models.DateTimeField("modéré le", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="modéré par",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    moderation_reason = models.CharField("motif de modération", max_length=250, blank=True)

    class Meta:
        verbose_name = "avis"
        verbose_name_plural = "avis"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
            models.CheckConstraint(condition=models.Q(status__in=RatingStatus.values), name="rating_status"),
            models.CheckConstraint(
                condition=~models.Q(status="hidden") | ~models.Q(moderation_reason=""),
                name="rating_hidden_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["place", "-created_at"], name="rating_place_recent_idx")]

    def __str__(self):
        return f"Avis n° {self.pk} — {self.score}/5"
