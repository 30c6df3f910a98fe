"""The counter's fast path (ADR 0027): cached rules and place profiles that follow their sources,
and a voucher changed between the read and the write."""

import datetime
import threading

import pytest
from django.core.cache import cache
from django.db import connections, transaction

from aptic.core.tests.factories import CommuneFactory
from aptic.ledger import services as ledger
from aptic.ledger.models import Account
from aptic.vocabulary.models import PlaceTypology
from aptic.vouchers import redemption as redemption_module
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.models import Redemption, Voucher, VoucherEvent, VoucherStatus
from aptic.vouchers.redemption import RedemptionRefused
from aptic.vouchers.redemption_write import VoucherTaken

from .test_redemption import codes_of, redeem, snapshot

pytestmark = pytest.mark.django_db


def test_an_order_rule_added_after_a_redemption_applies_to_the_next(counter, issued):
    order = issued()
    redeem(counter, codes_of(order, 3))  # the rules are now cached
    order.rule_communes.set([CommuneFactory(insee_code="69123", name="Lyon")])  # somewhere else
    with pytest.raises(RedemptionRefused) as refused:
        redeem(counter, codes_of(order, 3, start=3))
    assert "n'est pas utilisable dans la commune" in refused.value.results[0].problem
    order.rule_communes.clear()
    assert redeem(counter, codes_of(order, 3, start=3)).voucher_count == 3


def test_a_place_typology_changed_after_a_redemption_applies_to_the_next(counter, issued):
    _, _, place, _, _ = counter
    library = PlaceTypology.objects.exclude(standard_value="FABLAB").first()
    order = issued(rule_typologies=[library])
    place.typologies.add(library)
    redeem(counter, codes_of(order, 3))  # the place's profile is now cached, with the library
    place.typologies.remove(library)
    with pytest.raises(RedemptionRefused) as refused:
        redeem(counter, codes_of(order, 3, start=3))
    assert refused.value.results[0].problem == "Ce chèque n'est pas utilisable dans ce type de lieu."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_voucher_stopped_between_the_read_and_the_write_is_refused_by_name(counter, issued, monkeypatch):
    """Another till stops a voucher (and commits) after our read: the conditional UPDATE finds it no
    longer active, nothing is written, the codes are judged again on fresh rows and the refusal
    names the stop."""
    organisation, admin, *_ = counter
    codes = codes_of(issued(), 3)
    judge = redemption_module._judge
    calls = []

    def stop_elsewhere():
        try:
            vouchers_stop(vouchers=Voucher.objects.filter(code=codes[1]), actor=admin, reason="Carnet volé")
        finally:
            connections.close_all()

    def judge_then_stop(*args):
        judge(*args)
        if not calls:
            other = threading.Thread(target=stop_elsewhere)
            other.start()
            other.join()
        calls.append(1)

    monkeypatch.setattr(redemption_module, "_judge", judge_then_stop)
    with pytest.raises(RedemptionRefused) as refused:
        redeem(counter, codes)
    assert len(calls) == 2
    assert [r.problem for r in refused.value.results] == ["", "Ce chèque a été mis en opposition (perte ou vol).", ""]
    assert not Redemption.objects.exists()
    assert Voucher.objects.get(code=codes[0]).status == VoucherStatus.ACTIVE
    assert not VoucherEvent.objects.filter(to_status=VoucherStatus.REDEEMED).exists()


def test_a_write_that_finds_a_voucher_taken_is_tried_once_more_then_refused(counter, issued, monkeypatch):
    codes = codes_of(issued(), 3)
    write = redemption_module.write
    failures = []

    def flaky(**kwargs):
        if len(failures) < 1:
            failures.append(1)
            raise VoucherTaken
        return write(**kwargs)

    monkeypatch.setattr(redemption_module, "write", flaky)
    assert redeem(counter, codes).voucher_count == 3  # the second attempt went through

    def always(**kwargs):
        raise VoucherTaken

    monkeypatch.setattr(redemption_module, "write", always)
    other = issued()  # not yet known at this counter: the usual path, which this test is about
    before = snapshot()
    with pytest.raises(RedemptionRefused, match="vient d'être utilisé"):
        redeem(counter, codes_of(other, 3))
    assert snapshot() == before


def test_an_account_created_in_a_rolled_back_transaction_is_not_remembered(funder):
    spec = {"code": "test:rolled-back", "name": "Essai", "kind": "liability", "organisation_id": funder.pk}
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.account_ids_for([spec])
        raise RuntimeError
    assert cache.get("ledger:account:test:rolled-back") is None
    [account_id] = ledger.account_ids_for([spec])
    assert Account.objects.filter(pk=account_id).exists()


def test_the_counters_voucher_read_needs_no_converter():
    """redemption_read builds vouchers with Model.from_db from raw rows, which is right only while
    every column is an integer or text (a date or decimal column would need the ORM's converters)."""
    from django.db import models

    from aptic.vouchers.redemption_read import _names

    allowed = (models.AutoField, models.BigAutoField, models.ForeignKey, models.IntegerField, models.CharField)
    fields = Voucher._meta.concrete_fields
    assert [f.attname for f in fields] == _names()
    assert all(isinstance(f, allowed) for f in fields), [type(f).__name__ for f in fields]


def test_an_order_edited_after_a_redemption_is_read_fresh(counter, issued):
    """The counter takes orders from the cache (caches.cached_orders): saving one drops its entry."""
    order = issued()
    redeem(counter, codes_of(order, 3))  # the order is now cached
    year_ago = order.valid_from - datetime.timedelta(days=365)
    order.valid_from = order.valid_until = order.grace_until = year_ago  # staff correct the dates
    order.save()
    with pytest.raises(RedemptionRefused) as refused:
        redeem(counter, codes_of(order, 3, start=3))
    assert "a expiré le" in refused.value.results[0].problem
