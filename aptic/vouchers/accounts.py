"""The ledger accounts vouchers move through."""

from aptic.ledger.models import AccountKind
from aptic.ledger.services import account_for


def order_outstanding_account(order):
    """Face value of the order's vouchers still in circulation (a liability of the platform)."""
    return account_for(
        code=f"order:{order.pk}:outstanding",
        name=f"Chèques en circulation, commande n° {order.pk}",
        kind=AccountKind.LIABILITY,
        organisation=order.funder,
    )
