"""The vouchers' background work: the daily expiry of orders past their grace date, and the credit
notes of what expired (billing)."""

from aptic.core import formats
from aptic.jobs.registry import handler
from aptic.jobs.schedule import periodic

from .lifecycle import vouchers_expire

periodic("vouchers.expire", hour=2)


@handler("vouchers.expire")
def expire(job, progress) -> dict:
    from aptic.billing.services import expiry_credit_notes_issue

    expired = vouchers_expire()
    # Right after: one credit note per expiry posting, also catching up on an earlier run cut short.
    notes = expiry_credit_notes_issue()
    progress(
        len(expired),
        len(expired),
        f"{formats.count(sum(expired.values()), 'chèque')} {formats.plural(sum(expired.values()), 'expiré')}, "
        f"{formats.count(len(notes), 'avoir')} {formats.plural(len(notes), 'émis', 'émis')}.",
    )
    return {
        "orders": {str(order_id): count for order_id, count in expired.items()},
        "credit_notes": [note.number for note in notes],
    }
