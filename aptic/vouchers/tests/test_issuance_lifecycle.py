"""Orders are issued in one go; vouchers move through their states, each change an event."""

import datetime

import pytest
from django.core.management import call_command

from aptic.core.errors import DomainError
from aptic.ledger.selectors import balance_of
from aptic.vouchers import codes
from aptic.vouchers.issuance import order_check, order_create, order_issue
from aptic.vouchers.lifecycle import booklet_activate, order_expire, vouchers_expire, vouchers_stop, vouchers_stop_lift
from aptic.vouchers.models import Booklet, Order, Voucher, VoucherEvent, VoucherStatus

pytestmark = pytest.mark.django_db


def test_issuing_creates_booklets_vouchers_and_the_ledger_movement(funder, issued, capsys):
    order = issued(quantity=20)
    assert order.issued_at is not None
    assert Booklet.objects.filter(order=order).count() == 2
    vouchers = list(Voucher.objects.filter(order=order).order_by("sequence"))
    assert [v.sequence for v in vouchers] == list(range(1, 21))
    assert all(v.status == VoucherStatus.ACTIVE and codes.normalise(v.code) == v.code for v in vouchers)
    assert vouchers[0].serial == f"2026-{order.pk:05d}-0000001"
    assert vouchers[10].booklet_number == 2
    second = Booklet.objects.get(order=order, number=2)
    assert sorted(second.vouchers.values_list("sequence", flat=True)) == list(range(11, 21))
    assert balance_of(f"order:{order.pk}:outstanding") == -20_000
    assert balance_of(f"funder:{funder.pk}") == 20_000
    call_command("check_ledger")
    assert "Grand livre cohérent." in capsys.readouterr().out


def test_default_validity_is_year_end_with_january_grace(funder):
    order = order_create(funder=funder, quantity=10, valid_from=datetime.date(2026, 3, 2))
    assert (order.valid_until, order.grace_until) == (datetime.date(2026, 12, 31), datetime.date(2027, 1, 31))


def test_checking_an_orders_terms_completes_them_and_writes_nothing(funder):
    """What the order admin form calls before OrderAdmin.save_model creates the order."""
    terms = order_check(funder=funder, quantity=10, valid_from=datetime.date(2026, 3, 2), label="  Pass  ")
    assert (terms["valid_until"], terms["grace_until"], terms["label"]) == (
        datetime.date(2026, 12, 31),
        datetime.date(2027, 1, 31),
        "Pass",
    )
    with pytest.raises(DomainError, match="multiple de 10"):
        order_check(funder=funder, quantity=15)
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"quantity": 0}, "quantité"),
        ({"quantity": 15}, "multiple de 10"),
        ({"quantity": 10, "booklet_size": 8}, "5 ou 10"),
        ({"quantity": 10, "face_value_cents": 0}, "valeur faciale"),
        ({"quantity": 10, "valid_from": datetime.date(2026, 5, 1), "valid_until": datetime.date(2026, 4, 1)}, "dates"),
        ({"quantity": 10, "max_vouchers_per_act": 0}, "positif"),
    ],
)
def test_bad_orders_are_refused(funder, kwargs, message):
    with pytest.raises(DomainError, match=message):
        order_create(funder=funder, **kwargs)


def test_an_order_is_issued_once(issued):
    order = issued(quantity=10)
    with pytest.raises(DomainError, match="déjà été émise"):
        order_issue(order=order)
    assert Voucher.objects.filter(order=order).count() == 10


def test_only_funders_order(provider):
    with pytest.raises(DomainError, match="commanditaire"):
        order_create(funder=provider, quantity=10)


def test_activation_on_distribution(issued, funder_admin):
    order = issued(quantity=10, activation="on_distribution")
    assert set(Voucher.objects.filter(order=order).values_list("status", flat=True)) == {"issued"}
    booklet = Booklet.objects.get(order=order, number=1)
    assert booklet_activate(booklet=booklet, actor=funder_admin) == 10
    assert booklet_activate(booklet=booklet, actor=funder_admin) == 0
    assert VoucherEvent.objects.filter(from_status="issued", to_status="active", actor=funder_admin).count() == 10


def test_stop_and_lift_with_reasons_and_events(issued, funder_admin, staff):
    order = issued(quantity=10)
    vouchers = list(Voucher.objects.filter(order=order)[:3])
    with pytest.raises(DomainError, match="motif"):
        vouchers_stop(vouchers=vouchers, actor=funder_admin, reason=" ")
    assert vouchers_stop(vouchers=vouchers, actor=funder_admin, reason="Carnet volé") == 3
    assert Voucher.objects.filter(status="stopped", status_before_stop="active").count() == 3
    event = VoucherEvent.objects.filter(to_status="stopped").first()
    assert (event.from_status, event.actor, event.reason) == ("active", funder_admin, "Carnet volé")
    with pytest.raises(DomainError, match="Seule l'équipe #APTIC peut lever une opposition"):
        vouchers_stop_lift(vouchers=vouchers, actor=funder_admin, reason="Retrouvé")
    assert vouchers_stop_lift(vouchers=vouchers, actor=staff, reason="Retrouvé") == 3
    assert Voucher.objects.filter(order=order, status="active").count() == 10


def test_a_stop_lifted_after_the_grace_date_expires_the_voucher(issued, funder, funder_admin, staff):
    """The lift past the grace date expires the voucher with its posting: the funder is credited
    (the books' check after each test found the expiry without it, ADR 0032)."""
    order = issued(quantity=10)
    voucher = Voucher.objects.filter(order=order).first()
    vouchers_stop(vouchers=[voucher], actor=funder_admin, reason="Perdu")
    vouchers_stop_lift(vouchers=[voucher], actor=staff, reason="Retrouvé", day=datetime.date(2027, 2, 1))
    voucher.refresh_from_db()
    assert voucher.status == "expired"
    assert list(voucher.events.order_by("pk").values_list("to_status", flat=True))[-2:] == ["active", "expired"]
    assert balance_of(f"order:{order.pk}:outstanding") == 0
    assert balance_of(f"funder:{funder.pk}") == 0


def test_expiry_after_the_grace_date_credits_the_funder(issued, funder, capsys):
    order = issued(quantity=20)
    with pytest.raises(DomainError, match="valable jusqu'au 31/01/2027"):
        order_expire(order=order, day=datetime.date(2027, 1, 31))
    assert vouchers_expire(day=datetime.date(2027, 2, 1)) == {order.pk: 20}
    assert vouchers_expire(day=datetime.date(2027, 2, 2)) == {}
    assert set(Voucher.objects.filter(order=order).values_list("status", flat=True)) == {"expired"}
    assert balance_of(f"order:{order.pk}:outstanding") == 0
    assert balance_of(f"funder:{funder.pk}") == 0
    call_command("check_ledger")


def test_expire_command(issued, capsys):
    order = issued(quantity=10, valid_from=datetime.date(2025, 1, 1))
    call_command("expire_vouchers")
    assert f"Commande n° {order.pk} : 10 chèques expirés." in capsys.readouterr().out


def test_activate_a_run_of_booklets_at_once(issued, funder_admin):
    from aptic.vouchers.lifecycle import booklets_activate

    order = issued(quantity=50, activation="on_distribution")
    assert booklets_activate(order=order, numbers=range(2, 4), actor=funder_admin) == 20
    active = Voucher.objects.filter(order=order, status="active").values_list("sequence", flat=True)
    assert sorted(active) == list(range(11, 31))
    assert booklets_activate(order=order, numbers=range(2, 4), actor=funder_admin) == 0
    assert VoucherEvent.objects.filter(to_status="active").count() == 20
    with pytest.raises(DomainError, match="n'existent pas"):
        booklets_activate(order=order, numbers=range(5, 7), actor=funder_admin)
