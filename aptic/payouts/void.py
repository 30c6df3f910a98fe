"""Void the lines and netted fees of payouts that will not be paid (cancelled, rejected, held).

Their vouchers and fees become owed again, for a later run. Shared by services (cancel, reject) and
steps (hold at export); its own module so that steps does not import services (ADR 0030).
"""

from .models import NettedFee, PayoutLine


def payout_lines_void(payout_ids) -> None:
    PayoutLine.objects.filter(payout_id__in=payout_ids, is_void=False).update(is_void=True)
    NettedFee.objects.filter(payout_id__in=payout_ids, is_void=False).update(is_void=True)
