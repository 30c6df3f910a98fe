"""The ledger accounts vouchers move through."""

from aptic.ledger.models import AccountKind
from aptic.ledger.services import account_for


def order_outstanding_spec(order) -> dict:
    """Face value of the order's vouchers still in circulation (a liability of the platform)."""
    return {
        "code": f"order:{order.pk}:outstanding",
        "name": f"Chèques en circulation, commande n° {order.pk}",
        "kind": AccountKind.LIABILITY,
        "organisation_id": order.funder_id,
    }


def order_outstanding_account(order):
    return account_for(**order_outstanding_spec(order))
