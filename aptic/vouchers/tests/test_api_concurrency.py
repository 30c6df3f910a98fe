"""Through the API, at the same instant, each request on its own connection: one voucher is spent
once, and one idempotency key pays once. PostgreSQL only (SQLite serialises writers by design)."""

import pytest
from django.test import Client

from aptic.core.tests.race import race
from aptic.vouchers.models import Redemption, RedemptionLine, Voucher

from .test_api import REDEEM, call, shop_fixture  # noqa: F401

ATTEMPTS = 16

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def send_at_once(requests):
    """Send each (body, headers) at once from its own thread; the responses, in order."""
    responses = race(*[lambda r=r: call(Client(), "post", REDEEM, r[0], **r[1]) for r in requests])
    assert not [r for r in responses if isinstance(r, Exception)], responses
    return responses


def test_simultaneous_redemptions_of_one_voucher_one_success(shop):
    body = {"place_id": shop.place.pk, "offer_id": shop.short.pk, "codes": shop.codes[:1]}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {shop.key}"}
    responses = send_at_once([(body, headers)] * ATTEMPTS)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [422] * (ATTEMPTS - 1), statuses
    for response in responses:
        if response.status_code == 422:
            body = response.json()
            assert body["error"] == "vouchers_refused"
            assert body["codes"] == [] or body["codes"][0]["problem"] == "Ce chèque a déjà été utilisé.", body
    assert RedemptionLine.objects.filter(is_cancelled=False).count() == 1
    assert Voucher.objects.get(code=shop.codes[0]).status == "redeemed"


def test_simultaneous_retries_with_one_key_pay_once(shop):
    body = {"place_id": shop.place.pk, "offer_id": shop.workshop.pk, "codes": shop.codes[:3]}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {shop.key}", "HTTP_IDEMPOTENCY_KEY": "caisse-7"}
    responses = send_at_once([(body, headers)] * ATTEMPTS)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (ATTEMPTS - 1) + [201], [r.content[:80] for r in responses if r.status_code != 200]
    assert len({r.content for r in responses}) == 1  # every one got the same answer
    assert Redemption.objects.count() == 1


def test_one_key_for_different_vouchers_at_once_pays_once_and_conflicts(shop):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {shop.key}", "HTTP_IDEMPOTENCY_KEY": "caisse-8"}
    requests = [
        ({"place_id": shop.place.pk, "offer_id": shop.short.pk, "codes": [code]}, headers)
        for code in shop.codes[:ATTEMPTS]
    ]
    responses = send_at_once(requests)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (ATTEMPTS - 1), statuses
    assert Redemption.objects.count() == 1
