from django.db.models import Sum

from .models import Account, Entry


def balance(account: Account) -> int:
    """Signed balance in cents: positive is a debit balance, negative a credit balance."""
    return Entry.objects.filter(account=account).aggregate(total=Sum("amount_cents"))["total"] or 0


def balance_of(code: str) -> int:
    return Entry.objects.filter(account__code=code).aggregate(total=Sum("amount_cents"))["total"] or 0
