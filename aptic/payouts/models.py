"""Reimbursing providers (ADR 0016): verified bank details, payout runs, one payout per provider per
run, one line per voucher paid, and the subscription fees netted from a payout."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from aptic.accounts.models import Organisation
from aptic.core.files import private_storage_callable


class BankDetailsStatus(models.TextChoices):
    PENDING = "pending", "En attente de vérification"
    VERIFIED = "verified", "Vérifiées"
    REJECTED = "rejected", "Refusées"


def rib_path(instance, filename: str) -> str:
    return f"payouts/rib/{instance.provider_id}/{timezone.now():%Y%m%d%H%M%S}-{filename[-60:]}"


class BankDetails(models.Model):
    """A provider's bank account as entered once: a change is a new row (history kept), the previous
    one stops being current. Only verified current details are ever paid."""

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bank_details")
    holder = models.CharField("titulaire du compte", max_length=70)
    iban = models.CharField("IBAN", max_length=34)  # normalised: capitals, no spaces
    bic = models.CharField("BIC", max_length=11)
    bank_name = models.CharField("banque", max_length=200, blank=True)
    rib = models.FileField("RIB", storage=private_storage_callable, upload_to=rib_path, max_length=200)
    rib_name = models.CharField("nom du fichier", max_length=120)
    status = models.CharField("état", max_length=10, choices=BankDetailsStatus.choices, default="pending")
    is_current = models.BooleanField("en vigueur", default=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("saisies le", default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("vérifiées le", null=True, blank=True)
    review_reason = models.CharField("motif du refus", max_length=250, blank=True)

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider"], condition=Q(is_current=True), name="bank_details_one_current"),
            models.CheckConstraint(condition=Q(status__in=BankDetailsStatus.values), name="bank_details_status"),
            models.CheckConstraint(
                condition=Q(status="pending", reviewed_by__isnull=True, reviewed_at__isnull=True)
                | (~Q(status="pending") & Q(reviewed_by__isnull=False, reviewed_at__isnull=False)),
                name="bank_details_reviewed",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(review_reason=""), name="bank_details_rejection_reason"
            ),
        ]

    def __str__(self):
        return f"{self.provider} — {self.iban_masked}"

    @property
    def iban_formatted(self) -> str:
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))

    @property
    def iban_masked(self) -> str:
        """What a page shows outside the bank-details screens: country, check digits, last four."""
        return f"{self.iban[:4]} •••• {self.iban[-4:]}"


class RunKind(models.TextChoices):
    MONTHLY = "monthly", "Mensuel"
    ON_DEMAND = "on_demand", "À la demande"


class RunStatus(models.TextChoices):
    PREPARING = "preparing", "En préparation"
    DRAFT = "draft", "À approuver"
    APPROVED = "approved", "Approuvé"
    EXPORTING = "exporting", "Export en cours"
    EXPORTED = "exported", "Exporté vers la banque"
    PAID = "paid", "Payé"
    CANCELLED = "cancelled", "Annulé"


APPROVED_OR_LATER = [RunStatus.APPROVED, RunStatus.EXPORTING, RunStatus.EXPORTED, RunStatus.PAID]
OPEN_RUN = [RunStatus.PREPARING, RunStatus.DRAFT, RunStatus.APPROVED, RunStatus.EXPORTING]


def sepa_path(instance, filename: str) -> str:
    return f"payouts/sepa/{filename}"


class PayoutRun(models.Model):
    """Draft → approved (by a second staff member) → exported (SEPA file, once) → paid."""

    kind = models.CharField("type", max_length=10, choices=RunKind.choices)
    status = models.CharField("état", max_length=10, choices=RunStatus.choices, default=RunStatus.PREPARING)
    # Monthly: the month whose redemptions are paid (and any older ones still owed).
    period_start = models.DateField("mois du", null=True, blank=True)
    period_end = models.DateField("au", null=True, blank=True)
    # Redemptions made before this instant are paid; younger ones can still be cancelled.
    cutoff = models.DateTimeField("utilisations antérieures au")
    only_provider = models.ForeignKey(
        Organisation, verbose_name="structure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("approuvé le", null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField("exporté le", null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField("payé le", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField("annulé le", null=True, blank=True)
    cancel_reason = models.CharField("motif d'annulation", max_length=250, blank=True)
    execution_date = models.DateField("date d'exécution demandée", null=True, blank=True)
    sepa_file = models.FileField(storage=private_storage_callable, upload_to=sepa_path, max_length=200, blank=True)
    sepa_message_id = models.CharField("identifiant du message SEPA", max_length=35, blank=True)
    sepa_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "virement aux structures"
        verbose_name_plural = "virements aux structures"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RunKind.values), name="payout_run_kind"),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="payout_run_status"),
            models.CheckConstraint(
                condition=~Q(kind="monthly") | Q(period_start__isnull=False, period_end__isnull=False),
                name="payout_run_monthly_period",
            ),
            models.UniqueConstraint(
                fields=["period_start"],
                condition=Q(kind="monthly") & ~Q(status="cancelled"),
                name="payout_run_one_monthly_per_month",
            ),
            # Four eyes: approved by someone other than who prepared it.
            models.CheckConstraint(
                condition=~Q(status__in=APPROVED_OR_LATER)
                | (
                    Q(prepared_by__isnull=False, approved_by__isnull=False, approved_at__isnull=False)
                    & ~Q(approved_by=F("prepared_by"))
                ),
                name="payout_run_four_eyes",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[RunStatus.EXPORTED, RunStatus.PAID])
                | (Q(exported_at__isnull=False) & ~Q(sepa_file="")),
                name="payout_run_exported_has_file",
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.PAID) | Q(paid_at__isnull=False, paid_by__isnull=False),
                name="payout_run_paid_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.CANCELLED) | ~Q(cancel_reason=""), name="payout_run_cancel_reason"
            ),
        ]

    def __str__(self):
        return f"Virement {self.reference}"

    @property
    def reference(self) -> str:
        return f"APTIC-V{self.pk:05d}"

    @property
    def label(self) -> str:
        if self.kind == RunKind.MONTHLY and self.period_start:
            from django.utils.dateformat import format as date_format

            return f"Mensuel — {date_format(self.period_start, 'F Y')}"
        return f"À la demande — {timezone.localtime(self.created_at):%d/%m/%Y}"


def payout_reference(run_id: int, payout_id: int) -> str:
    """In the transfer's remittance information and end-to-end id (35 characters at most)."""
    return f"APTIC-V{run_id:05d}-R{payout_id:06d}"


class PayoutStatus(models.TextChoices):
    HELD = "held", "Retenu"
    PLANNED = "planned", "Prévu"
    SENT = "sent", "Transmis à la banque"
    REJECTED = "rejected", "Rejeté par la banque"
    CANCELLED = "cancelled", "Annulé"


class Payout(models.Model):
    """What one provider receives in one run: face value of its vouchers less the netted fees."""

    run = models.ForeignKey(PayoutRun, on_delete=models.PROTECT, related_name="payouts")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="payouts")
    status = models.CharField("état", max_length=10, choices=PayoutStatus.choices)
    hold_reason = models.CharField("motif de la retenue", max_length=250, blank=True)
    voucher_count = models.PositiveIntegerField("chèques", default=0)
    gross_cents = models.BigIntegerField("valeur des chèques (centimes)", default=0)
    fee_cents = models.IntegerField("abonnement déduit HT (centimes)", default=0)
    vat_cents = models.IntegerField("TVA sur l'abonnement déduit (centimes)", default=0)
    net_cents = models.BigIntegerField("montant viré (centimes)", default=0)
    # Done marker of the preparation step: its lines are written and its amounts computed.
    lines_ready = models.BooleanField(default=False)
    bank_details = models.ForeignKey(BankDetails, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The provider's name when the run was made, as its statement shows it.
    provider_name = models.CharField("structure", max_length=200, default="")
    # What the SEPA file says, as it was at export.
    holder = models.CharField("titulaire", max_length=70, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    transaction = models.ForeignKey(
        "ledger.Transaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversal = models.ForeignKey(
        "ledger.Transaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField("rejeté le", null=True, blank=True)
    rejection_reason = models.CharField("motif du rejet", max_length=250, blank=True)

    class Meta:
        verbose_name = "remboursement"
        verbose_name_plural = "remboursements"
        ordering = ["run", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "provider"], name="payout_one_per_provider_per_run"),
            models.CheckConstraint(condition=Q(status__in=PayoutStatus.values), name="payout_status"),
            models.CheckConstraint(
                condition=Q(net_cents=F("gross_cents") - F("fee_cents") - F("vat_cents"))
                & Q(fee_cents__gte=0, vat_cents__gte=0),
                name="payout_net_is_gross_less_fees",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["planned", "sent"]) | ~Q(lines_ready=True) | Q(net_cents__gt=0),
                name="payout_net_positive",
            ),
            models.CheckConstraint(condition=~Q(status="held") | ~Q(hold_reason=""), name="payout_held_has_reason"),
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "rejected"])
                | (Q(transaction__isnull=False) & ~Q(iban="") & ~Q(bic="")),
                name="payout_sent_is_posted",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | (Q(reversal__isnull=False) & ~Q(rejection_reason="")),
                name="payout_rejected_is_reversed",
            ),
        ]

    def __str__(self):
        return f"Remboursement {self.reference}"

    @property
    def reference(self) -> str:
        return payout_reference(self.run_id, self.pk)


class PayoutLine(models.Model):
    """One voucher paid by a payout. The partial unique constraint is the barrier against paying a
    voucher twice: at most one live line per voucher (a rejected or cancelled payout's lines are void)."""

    # Neither column has a row-by-row foreign-key check in the database (ADR 0016): statement-level
    # triggers check instead that each inserted line's payout and voucher exist (migrations 0003 and
    # 0004, PostgreSQL), and a payout that has lines cannot be deleted.
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="lines", db_constraint=False)
    # No foreign-key constraint in the database: its check at commit locks each voucher row (FOR KEY
    # SHARE), 12 to 14 s more for a million-voucher run (ADR 0016). A statement-level trigger checks
    # instead that the vouchers exist, one anti-join per INSERT (migration 0003, PostgreSQL); a voucher
    # in a line is redeemed, so its redemption line's real foreign key keeps it from being deleted.
    # The partial unique index below is the constraint that matters.
    voucher = models.ForeignKey(
        "vouchers.Voucher", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    amount_cents = models.PositiveIntegerField("valeur (centimes)")
    is_void = models.BooleanField(default=False)
    # The names as they were when the run took the voucher: a statement never changes afterwards,
    # whatever the place or the service is called later (issue #12).
    place_name = models.CharField("lieu", max_length=200, default="")
    service_title = models.CharField("service", max_length=200, default="")

    class Meta:
        verbose_name = "chèque remboursé"
        verbose_name_plural = "chèques remboursés"
        constraints = [
            models.UniqueConstraint(fields=["voucher"], condition=Q(is_void=False), name="voucher_paid_once"),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payout_line_amount_positive"),
        ]

    def __str__(self):
        return f"{self.payout_id} / {self.voucher_id}"


class NettedFee(models.Model):
    """A subscription period paid by deduction from a payout (VAT included). Void when the payout is
    rejected or cancelled, so that the period is netted again by a later payout."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="netted_fees")
    subscription = models.ForeignKey("providers.Subscription", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField("du")
    period_end = models.DateField("au")
    fee_cents = models.PositiveIntegerField("HT (centimes)")
    vat_cents = models.PositiveIntegerField("TVA (centimes)")
    is_void = models.BooleanField(default=False)

    class Meta:
        verbose_name = "abonnement déduit"
        verbose_name_plural = "abonnements déduits"
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "period_start"], condition=Q(is_void=False), name="netted_period_once"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="netted_period_order"),
        ]

    def __str__(self):
        return f"{self.subscription_id} : {self.period_start} – {self.period_end}"
