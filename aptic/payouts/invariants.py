"""Payout invariants of the books, run by `manage.py check_ledger` (with the vouchers' own: each
provider's payable equals its redeemed vouchers, which includes those in a run not yet exported):
- a reimbursed voucher is in exactly one live line, of a payout sent to the bank, and vice versa;
- a planned payout's live lines are redeemed vouchers; held, rejected and cancelled payouts have none;
- a sent payout's amounts are its lines' and netted periods', and its ledger transaction moved
  exactly its gross amount out of the provider's payable and its net amount out of the bank;
- a rejected payout's transaction is reversed to the cent."""

from django.db.models import Count, Q, Sum

from aptic.core import formats
from aptic.ledger.invariants import SHOWN, invariant
from aptic.ledger.models import Entry
from aptic.vouchers.models import Voucher, VoucherStatus

from .models import NettedFee, Payout, PayoutLine, PayoutStatus


@invariant
def reimbursed_vouchers_are_in_one_sent_payout() -> list[str]:
    breaches = []
    reimbursed = Voucher.objects.filter(status=VoucherStatus.REIMBURSED).count()
    in_sent = PayoutLine.objects.filter(is_void=False, payout__status=PayoutStatus.SENT).count()
    if reimbursed != in_sent:
        breaches.append(
            f"{formats.count(reimbursed, 'chèque')} {formats.plural(reimbursed, 'remboursé')}, "
            f"mais {formats.number(in_sent)} dans des virements transmis."
        )
    wrong = (
        PayoutLine.objects.filter(is_void=False)
        .filter(
            Q(payout__status=PayoutStatus.SENT) & ~Q(voucher__status=VoucherStatus.REIMBURSED)
            | Q(payout__status=PayoutStatus.PLANNED) & ~Q(voucher__status=VoucherStatus.REDEEMED)
            | Q(payout__status__in=[PayoutStatus.HELD, PayoutStatus.REJECTED, PayoutStatus.CANCELLED])
        )
        .values_list("voucher_id", "payout_id")[:SHOWN]
    )
    breaches += [f"Chèque n° {v} : ligne du remboursement n° {p} incohérente avec son état." for v, p in wrong]
    return breaches


@invariant
def payouts_match_their_lines_and_fees() -> list[str]:
    lines = {
        row["payout_id"]: (row["n"], row["total"])
        for row in PayoutLine.objects.filter(
            is_void=False, payout__status__in=[PayoutStatus.SENT, PayoutStatus.PLANNED]
        )
        .values("payout_id")
        .annotate(n=Count("pk"), total=Sum("amount_cents"))
        .order_by()
    }
    fees = {
        row["payout_id"]: (row["fee"], row["vat"])
        for row in NettedFee.objects.filter(is_void=False)
        .values("payout_id")
        .annotate(fee=Sum("fee_cents"), vat=Sum("vat_cents"))
        .order_by()
    }
    breaches = []
    payouts = Payout.objects.filter(status__in=[PayoutStatus.SENT, PayoutStatus.PLANNED], lines_ready=True)
    for p in payouts.values("pk", "voucher_count", "gross_cents", "fee_cents", "vat_cents").iterator():
        if lines.get(p["pk"], (0, 0)) != (p["voucher_count"], p["gross_cents"]):
            breaches.append(f"Remboursement n° {p['pk']} : ses montants ne sont pas ceux de ses chèques.")
        if fees.get(p["pk"], (0, 0)) != (p["fee_cents"], p["vat_cents"]):
            breaches.append(f"Remboursement n° {p['pk']} : l'abonnement déduit ne correspond pas aux périodes.")
        if len(breaches) >= SHOWN:
            break
    return breaches


def _moved(transaction_ids, suffix: str) -> dict[int, int]:
    return dict(
        Entry.objects.filter(transaction_id__in=transaction_ids, account__code__endswith=suffix)
        .values_list("transaction_id")
        .annotate(total=Sum("amount_cents"))
        .order_by()
    )


@invariant
def payouts_are_posted_once() -> list[str]:
    posted = list(
        Payout.objects.filter(status__in=[PayoutStatus.SENT, PayoutStatus.REJECTED]).values(
            "pk", "status", "gross_cents", "net_cents", "transaction_id", "reversal_id"
        )
    )
    ids = [p["transaction_id"] for p in posted] + [p["reversal_id"] for p in posted if p["reversal_id"]]
    payable, bank = _moved(ids, ":payable"), _moved(ids, "platform:bank")
    breaches = []
    for p in posted:
        t = p["transaction_id"]
        if payable.get(t) != p["gross_cents"] or bank.get(t) != -p["net_cents"]:
            breaches.append(f"Remboursement n° {p['pk']} : son écriture ne correspond pas à ses montants.")
        if p["status"] == PayoutStatus.REJECTED:
            r = p["reversal_id"]
            if payable.get(r) != -p["gross_cents"] or bank.get(r) != p["net_cents"]:
                breaches.append(f"Remboursement n° {p['pk']} : son rejet n'annule pas exactement son écriture.")
        if len(breaches) >= SHOWN:
            break
    transactions = [p["transaction_id"] for p in posted]
    if len(set(transactions)) != len(transactions):
        breaches.append("Une même écriture comptable sert à plusieurs remboursements.")
    return breaches
