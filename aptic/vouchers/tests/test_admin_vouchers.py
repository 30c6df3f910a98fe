"""The back office of vouchers, in French: orders created and issued through services, read-only
booklets, vouchers, events and redemptions, searched by serial or code; stops, lifts and rating
moderation through actions that ask for a reason."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from aptic.core.tests.factories import CommuneFactory, UserFactory
from aptic.core.tests.helpers import text
from aptic.vouchers import codes as voucher_codes
from aptic.vouchers import models
from aptic.vouchers.models import Order, Rating, Voucher, VoucherEvent
from aptic.vouchers.ratings import rating_create
from aptic.vouchers.redemption import redemption_create

from .test_views_support import codes_of, issue, voucher_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def back_office(client, staff):
    client.force_login(staff)
    return client


def url(model, action="changelist", *args):
    return reverse(f"admin:vouchers_{model._meta.model_name}_{action}", args=args)


def test_every_vouchers_model_is_registered():
    from django.apps import apps

    for model in apps.get_app_config("vouchers").get_models():
        if model is models.RedemptionLine:
            continue  # shown inside its redemption
        assert admin.site.is_registered(model), model


def test_every_list_and_page_opens_in_french(back_office, counter, funder):
    order = issue(funder)
    code = codes_of(order, 1)[0]
    organisation, user, place, workshop, short = counter
    redemption = redemption_create(provider=organisation, place=place, offer=short, codes=[code], user=user).redemption
    rating = rating_create(voucher=voucher_of(code), score=4, comment="Bien")
    html = text(back_office.get(reverse("admin:index")))
    assert "Commandes" in html and "Chèques" in html and "Avis" in html
    for model in [Order, models.Booklet, Voucher, VoucherEvent, models.Redemption, Rating]:
        assert back_office.get(url(model)).status_code == 200, model
    for obj in [order, order.booklets.first(), voucher_of(code), VoucherEvent.objects.first(), redemption, rating]:
        assert back_office.get(url(type(obj), "change", obj.pk)).status_code == 200, obj
    assert back_office.get(url(Order, "add")).status_code == 200


@pytest.mark.parametrize("model", [models.Booklet, Voucher, VoucherEvent, models.Redemption, Rating])
def test_histories_and_money_are_read_only(back_office, model):
    assert back_office.get(url(model, "add")).status_code == 403


def order_form(funder, **fields):
    data = {
        "funder": funder.pk,
        "label": "Pass numérique 2026",
        "quantity": "20",
        "face_value_cents": "1000",
        "booklet_size": "10",
        "activation": "on_issue",
        "valid_from": "",
        "valid_until": "",
        "grace_until": "",
        "max_vouchers_per_act": "",
    }
    data.update(fields)
    return data


def test_an_order_is_created_through_its_service_with_its_rules(back_office, funder, staff):
    commune = CommuneFactory()
    response = back_office.post(url(Order, "add"), order_form(funder, rule_communes=[commune.pk]))
    assert response.status_code == 302, text(response)
    order = Order.objects.get()
    assert (order.quantity, order.label, order.created_by) == (20, "Pass numérique 2026", staff)
    assert (order.valid_until.month, order.valid_until.day, order.grace_until.month) == (12, 31, 1)
    assert list(order.rule_communes.all()) == [commune]
    assert order.issued_at is None


def test_an_order_refused_by_its_service_shows_why_and_is_not_created(back_office, funder):
    response = back_office.post(url(Order, "add"), order_form(funder, quantity="15"))
    assert response.status_code == 200
    assert "La quantité doit être un multiple de 10 (chèques par carnet)." in text(response)
    assert Order.objects.count() == 0


def test_an_issued_orders_money_fields_are_read_only(back_office, funder):
    order = issue(funder)
    html = text(back_office.get(url(Order, "change", order.pk)))
    assert 'name="quantity"' not in html and 'name="face_value_cents"' not in html
    assert 'name="label"' in html and "Voir les 2 carnets" in html


def test_issue_action_and_never_twice(back_office, funder):
    from aptic.vouchers.issuance import order_create

    order = order_create(funder=funder, quantity=20)
    data = {"action": "issue", ACTION_CHECKBOX_NAME: [order.pk]}
    response = back_office.post(url(Order), data, follow=True)
    html = text(response)
    assert f"Commande n° {order.pk} émise : 20 chèques en 2 carnets." in html
    assert Voucher.objects.filter(order=order).count() == 20
    response = back_office.post(url(Order), data, follow=True)
    assert f"La commande n° {order.pk} a déjà été émise." in text(response)
    assert Voucher.objects.filter(order=order).count() == 20


def test_search_vouchers_by_serial_or_code(back_office, funder):
    order = issue(funder)
    issue(funder)  # another order, same sequences
    code = codes_of(order, 1, start=6)[0]
    serial = order.serial(7)
    html = text(back_office.get(url(Voucher), {"q": serial}))
    assert serial in html and "1 chèque" in html
    assert code not in html and voucher_codes.display(code) not in html  # masked
    assert f"{code[:4]}-••••-••••-{code[-4:]}" in html
    unpadded = f"{order.valid_from.year}-{order.pk}-7"
    assert serial in text(back_office.get(url(Voucher), {"q": unpadded}))
    html = text(back_office.get(url(Voucher), {"q": voucher_codes.display(code).lower()}))
    assert serial in html and "1 chèque" in html
    html = text(back_office.get(url(Voucher), {"q": f"{order.valid_from.year}-{order.pk:05d}"}))
    assert "20 chèques" in html
    html = text(back_office.get(url(Voucher), {"q": "n'importe quoi"}))
    assert "0 chèque" in html and "numéro de chèque (2026-00042-0000137)" in html
    # The booklet holding that voucher, and the events of that voucher.
    html = text(back_office.get(url(models.Booklet), {"q": serial}))
    assert f"Carnet 1 de la commande {order.pk}" in html and "1 carnet" in html
    assert "1 carnet" in text(back_office.get(url(models.Booklet), {"q": code}))
    assert back_office.get(url(VoucherEvent), {"q": serial}).status_code == 200


def reason_action(client, model, action, pks, reason):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks]}
    page = client.post(url(model), data)
    assert page.status_code == 200 and 'name="reason"' in text(page)
    assert client.post(url(model), {**data, "apply": "1", "reason": ""}).status_code == 200
    return client.post(url(model), {**data, "apply": "1", "reason": reason}, follow=True)


def test_stop_and_lift_vouchers_with_a_reason(back_office, funder, staff):
    order = issue(funder)
    vouchers = list(Voucher.objects.filter(order=order).order_by("sequence")[:2])
    response = reason_action(back_office, Voucher, "stop", [v.pk for v in vouchers], "Carnet volé")
    assert "2 chèques mis en opposition." in text(response)
    assert {v.status for v in Voucher.objects.filter(pk__in=[v.pk for v in vouchers])} == {"stopped"}
    event = VoucherEvent.objects.filter(to_status="stopped").first()
    assert (event.reason, event.actor) == ("Carnet volé", staff)
    response = reason_action(back_office, Voucher, "lift", [vouchers[0].pk], "Retrouvé")
    assert "Opposition levée sur 1 chèque." in text(response)
    assert voucher_of(vouchers[0].code).status == "active"
    # Lifting a voucher that is not stopped says so and changes nothing.
    response = reason_action(back_office, Voucher, "lift", [vouchers[0].pk], "Encore")
    assert "Aucun de ces chèques n'est en opposition." in text(response)


def test_stop_a_whole_booklet(back_office, funder):
    order = issue(funder)
    booklet = order.booklets.get(number=2)
    response = reason_action(back_office, models.Booklet, "stop", [booklet.pk], "Carnet perdu")
    assert "10 chèques mis en opposition." in text(response)
    statuses = dict(Voucher.objects.filter(order=order).values_list("sequence", "status"))
    assert {statuses[s] for s in range(11, 21)} == {"stopped"} and {statuses[s] for s in range(1, 11)} == {"active"}
    response = reason_action(back_office, models.Booklet, "lift", [booklet.pk], "Carnet retrouvé")
    assert "Opposition levée sur 10 chèques." in text(response)
    assert set(Voucher.objects.filter(order=order).values_list("status", flat=True)) == {"active"}


def test_moderate_ratings_with_a_reason(back_office, counter, funder):
    organisation, user, place, workshop, short = counter
    code = codes_of(issue(funder), 1)[0]
    redemption_create(provider=organisation, place=place, offer=short, codes=[code], user=user)
    rating = rating_create(voucher=voucher_of(code), score=1, comment="Contactez-moi : moi@exemple.fr")
    assert rating.status == "held"
    html = text(back_office.get(url(Rating), {"etat": "held"}))
    assert "moi@exemple.fr" in html and "En attente de modération" in html
    response = reason_action(back_office, Rating, "hide", [rating.pk], "Donnée personnelle")
    assert "1 avis masqué." in text(response)
    rating.refresh_from_db()
    assert (rating.status, rating.moderation_reason) == ("hidden", "Donnée personnelle")
    reason_action(back_office, Rating, "show", [rating.pk], "Adresse retirée par le bénéficiaire")
    rating.refresh_from_db()
    assert rating.status == "published"


def test_staff_without_permission_see_no_actions(client, funder):
    issue(funder)
    viewer = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_voucher", "view_order"]))
    client.force_login(viewer)
    html = text(client.get(url(Voucher)))
    assert not re.search(r'<option value="stop"', html)
    assert not re.search(r'<option value="issue"', text(client.get(url(Order))))
