"""Pages of vouchers: the provider's counter and redemptions, the public voucher page."""

from .counter import counter, redemption, redemptions, redemptions_export
from .public import lookup, places_geojson, public_voucher

__all__ = [
    "counter",
    "lookup",
    "places_geojson",
    "public_voucher",
    "redemption",
    "redemptions",
    "redemptions_export",
]
