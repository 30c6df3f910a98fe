"""Helpers for the tests of the voucher pages (counter, redemptions, public page, ratings, back office).

No test here: plain functions the test_views*, test_ratings* and test_admin* modules share.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from aptic.vouchers import codes as voucher_codes
from aptic.vouchers.issuance import order_create, order_issue
from aptic.vouchers.models import Voucher


def issue(funder, quantity=20, **kwargs):
    """An issued order of active vouchers, valid around today (the pages use the real date)."""
    today = timezone.localdate()
    kwargs.setdefault("valid_from", today - datetime.timedelta(days=30))
    kwargs.setdefault("valid_until", today + datetime.timedelta(days=60))
    kwargs.setdefault("grace_until", kwargs["valid_until"] + datetime.timedelta(days=31))
    return order_issue(order=order_create(funder=funder, quantity=quantity, **kwargs))


def codes_of(order, n, start=0):
    return list(
        Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)[start : start + n]
    )


def voucher_of(code):
    return Voucher.objects.select_related("order").get(code=code)


def unknown_code():
    body = "ZZZZZZZZZZZZZZZ"
    return body + voucher_codes.check_symbol(body)


def counter_url(organisation):
    return reverse("vouchers:counter", kwargs={"org_slug": organisation.slug})


def public_url(code):
    return reverse("vouchers:public", kwargs={"code": code})
