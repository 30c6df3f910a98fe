"""Double-entry, append-only ledger in integer cents (ADR 0002).

An entry's amount is signed: a debit is positive, a credit negative; the entries of a transaction
sum to zero. Rows are never updated nor deleted (database triggers, see migrations): a correction
is a new, reversing transaction.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AccountKind(models.TextChoices):
    ASSET = "asset", "Actif"
    LIABILITY = "liability", "Passif"
    REVENUE = "revenue", "Produit"
    EXPENSE = "expense", "Charge"


class Account(models.Model):
    # Stable, readable keys: "platform:bank", "funder:12", "order:34:outstanding", "provider:56:payable".
    code = models.CharField("code", max_length=100, unique=True)
    name = models.CharField("intitulé", max_length=200)
    kind = models.CharField("nature", max_length=10, choices=AccountKind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    created_at = models.DateTimeField("ouvert le", auto_now_add=True)

    class Meta:
        verbose_name = "compte"
        verbose_name_plural = "comptes"
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=models.Q(kind__in=AccountKind.values), name="account_kind")]

    def __str__(self):
        return f"{self.code} — {self.name}"


class Transaction(models.Model):
    kind = models.CharField("opération", max_length=30)
    description = models.CharField("libellé", max_length=250)
    # What the movement is about, e.g. "order:34" or "redemption:991", to find it back (exact
    # lookups: a Meta index, as db_index=True would add a LIKE index on PostgreSQL too).
    reference = models.CharField("référence", max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("le", default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = "écriture"
        verbose_name_plural = "écritures"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["reference"], name="transaction_reference_idx")]

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.reference}"


class Entry(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.PROTECT, related_name="entries")
    # Indexed by entry_account_idx, whose first column it is.
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", db_index=False)
    amount_cents = models.BigIntegerField("montant (centimes, débit positif)")

    class Meta:
        verbose_name = "ligne d'écriture"
        verbose_name_plural = "lignes d'écriture"
        constraints = [models.CheckConstraint(condition=~models.Q(amount_cents=0), name="entry_amount_not_zero")]
        indexes = [models.Index(fields=["account", "transaction"], name="entry_account_idx")]

    def __str__(self):
        return f"{self.account.code} {self.amount_cents:+d}"
