"""Billing invariants of the books, run by `manage.py check_ledger`:
- each funder's account equals what its documents say: face value of its issued orders
  + invoiced fee, options and VAT − payments − credit notes (− expiries whose credit note is not
  issued yet: vouchers.lifecycle posts them, the daily job documents them right after);
- every expiry posting has its credit note, of the same amount, at the latest two days after;
- the territorial fund account equals the sum of fund movements, one per paid order;
- no credit note is deducted beyond its amount."""

import datetime

from django.db.models import F, Q, Sum
from django.utils import timezone

from aptic.ledger.invariants import invariant
from aptic.ledger.models import Entry, Transaction
from aptic.vouchers.models import Order

from .models import CreditApplication, CreditNote, FundMovement, Invoice, Payment

FUNDER_POSTINGS = ("issuance", "invoice", "payment", "credit_note", "expiry")


def _by_funder(queryset, field: str, amount) -> dict[int, int]:
    return {k: v or 0 for k, v in queryset.values_list(field).annotate(total=Sum(amount)).order_by()}


@invariant
def funder_account_equals_documents() -> list[str]:
    # Only the postings whose documents billing keeps (another app's or a hand-made posting is theirs).
    booked = _by_funder(
        Entry.objects.filter(account__code__startswith="funder:", transaction__kind__in=FUNDER_POSTINGS),
        "account__organisation_id",
        "amount_cents",
    )
    issued = _by_funder(
        Order.objects.filter(issued_at__isnull=False), "funder_id", F("quantity") * F("face_value_cents")
    )
    invoiced = _by_funder(Invoice.objects.all(), "funder_id", F("fee_cents") + F("options_cents") + F("vat_cents"))
    paid = _by_funder(Payment.objects.all(), "invoice__funder_id", "amount_cents")
    credited = _by_funder(CreditNote.objects.all(), "funder_id", "total_cents")
    undocumented = _by_funder(
        Entry.objects.filter(transaction__kind="expiry", account__code__startswith="funder:").exclude(
            transaction_id__in=CreditNote.objects.values("ledger_transaction_id")
        ),
        "account__organisation_id",
        "amount_cents",
    )
    breaches = []
    for funder in sorted(set(booked) | set(issued) | set(invoiced) | set(paid) | set(credited)):
        expected = issued.get(funder, 0) + invoiced.get(funder, 0) - paid.get(funder, 0) - credited.get(funder, 0)
        expected += undocumented.get(funder, 0)  # already negative (credits)
        if booked.get(funder, 0) != expected:
            breaches.append(
                f"Commanditaire n° {funder} : {booked.get(funder, 0)} centimes à son compte au grand livre, "
                f"{expected} selon ses commandes, factures, paiements et avoirs."
            )
    return breaches


@invariant
def every_expiry_has_its_credit_note() -> list[str]:
    notes = dict(
        CreditNote.objects.filter(kind="expiry").values_list("ledger_transaction_id", "total_cents").order_by()
    )
    credited = dict(
        Entry.objects.filter(transaction__kind="expiry", account__code__startswith="funder:")
        .values_list("transaction_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )
    breaches = []
    late = timezone.now() - datetime.timedelta(days=2)
    postings = Transaction.objects.filter(kind="expiry").values_list("pk", "created_at").order_by("pk")
    for posting, created_at in postings:
        if posting not in notes:
            if created_at < late:
                breaches.append(f"L'expiration enregistrée par l'écriture n° {posting} n'a pas d'avoir.")
        elif notes[posting] != -credited.get(posting, 0):
            breaches.append(
                f"L'avoir de l'écriture n° {posting} ({notes[posting]} centimes) ne correspond pas au crédit "
                f"du commanditaire ({-credited.get(posting, 0)} centimes)."
            )
    return breaches


@invariant
def territorial_fund_equals_movements() -> list[str]:
    booked = -(
        Entry.objects.filter(account__code="platform:territorial_fund").aggregate(t=Sum("amount_cents"))["t"] or 0
    )
    moved = FundMovement.objects.aggregate(t=Sum("amount_cents"))["t"] or 0
    if booked != moved:
        return [f"Fonds territorial : {booked} centimes au grand livre, {moved} selon les abondements enregistrés."]
    return []


@invariant
def paid_orders_fund_the_territory() -> list[str]:
    paid = Invoice.objects.filter(Q(payment__isnull=False) | Q(due_cents=0))
    missing = paid.exclude(order_id__in=FundMovement.objects.values("order_id")).values_list("number", flat=True)
    return [f"La commande de la facture payée {n} n'a pas abondé le fonds territorial." for n in missing[:100]]


@invariant
def credit_notes_not_overused() -> list[str]:
    rows = (
        CreditApplication.objects.values("credit_note_id", "credit_note__number", "credit_note__total_cents")
        .annotate(used=Sum("amount_cents"))
        .filter(used__gt=F("credit_note__total_cents"))
        .order_by()
    )
    return [
        f"L'avoir {r['credit_note__number']} est déduit au-delà de son montant ({r['used']} centimes)." for r in rows
    ]
