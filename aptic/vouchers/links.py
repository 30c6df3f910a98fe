"""Links printed on vouchers."""

from django.conf import settings
from django.urls import reverse


def voucher_url(code: str) -> str:
    """What the voucher's QR code carries: the public page of the voucher, APTIC_SITE_URL + /c/<code>/.

    `code` is the normalised code (16 symbols, no separator: codes.normalise). The page also answers
    on /C/<code>/, so a printer may write the whole URL in capitals (QR alphanumeric mode, a smaller
    code); the counter's scanner and codes.normalise accept both.
    """
    return settings.SITE_URL + reverse("vouchers:public", kwargs={"code": code})
