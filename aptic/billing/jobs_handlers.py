"""The daily expiry of orders past their grace date (vouchers), then the credit notes of what expired.

Here in billing, above vouchers (ADR 0030); the job keeps its name, "vouchers.expire"."""

from aptic.core import formats
from aptic.jobs.registry import handler
from aptic.jobs.schedule import periodic
from aptic.vouchers.lifecycle import vouchers_expire

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
