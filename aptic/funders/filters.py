"""The dashboard filters (aptic.reporting.filters) as a funder may set them: its own issued orders,
the territories and distributors of its own usage facts. Its dashboard and its map share them."""

from aptic.reporting.filters import FilterOptions, filter_options
from aptic.vouchers.models import Order


def funder_filter_options(funder) -> FilterOptions:
    return filter_options(
        scope={"funder_id": funder.pk}, orders=Order.objects.filter(funder=funder, issued_at__isnull=False)
    )
