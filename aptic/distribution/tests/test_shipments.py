import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from aptic.core.errors import DomainError
from aptic.core.tests.factories import OrganisationFactory
from aptic.distribution.models import Shipment, ShippedBooklet
from aptic.distribution.selectors import vouchers_shipped
from aptic.distribution.shipments import parse_ranges, shipment_create
from aptic.vouchers.models import Booklet

DAY = datetime.date(2026, 3, 2)


def test_ranges_are_read_the_way_staff_type_them():
    assert parse_ranges("1-10, 15 ; 20 à 22") == [(1, 10), (15, 15), (20, 22)]
    for bad, message in [("", "Indiquez"), ("1-x", "n'est pas une plage"), ("9-3", "vient après")]:
        with pytest.raises(DomainError, match=message):
            parse_ranges(bad)


@pytest.mark.django_db
def test_staff_record_a_shipment_to_a_distributor(client, staff, released, distributor):
    order = released(quantity=100)
    client.force_login(staff)
    url = reverse("distribution:staff_shipments")
    response = client.post(
        url,
        {"order": order.pk, "recipient": distributor.pk, "ranges": "1-3, 7", "shipped_on": "2026-03-02"},
    )
    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert shipment.booklet_count == 4 and shipment.recipient == distributor
    assert sorted(ShippedBooklet.objects.values_list("booklet__number", flat=True)) == [1, 2, 3, 7]
    assert vouchers_shipped([order.pk]) == {order.pk: 40}
    page = client.get(url).content.decode()
    assert "1 à 3, 7" in page and distributor.name in page


@pytest.mark.django_db
def test_booklet_out_of_range_is_refused_with_its_numbers(client, staff, released, distributor):
    order = released(quantity=100)  # booklets 1 to 10
    client.force_login(staff)
    response = client.post(
        reverse("distribution:staff_shipments"),
        {"order": order.pk, "recipient": distributor.pk, "ranges": "8-12", "shipped_on": "2026-03-02"},
    )
    assert response.status_code == 400
    assert "Les carnets 8 à 12 n&#x27;existent pas" in response.content.decode()
    assert not Shipment.objects.exists() and not ShippedBooklet.objects.exists()
    with pytest.raises(DomainError, match="deux plages"):
        shipment_create(order=order, recipient=distributor, ranges=[(1, 5), (5, 6)], shipped_on=DAY, user=staff)


@pytest.mark.django_db
def test_a_booklet_ships_once(released, distributor, funder, staff):
    order = released(quantity=100)
    shipment_create(order=order, recipient=distributor, ranges=[(1, 5)], shipped_on=DAY, user=staff)
    with pytest.raises(DomainError, match=r"Déjà expédiés : carnets n° 4, 5"):
        shipment_create(order=order, recipient=funder, ranges=[(4, 8)], shipped_on=DAY, user=staff)
    assert Shipment.objects.count() == 1
    # The database refuses it too, should two requests race past the check.
    with pytest.raises(IntegrityError), transaction.atomic():
        ShippedBooklet.objects.create(
            shipment=Shipment.objects.get(), booklet=Booklet.objects.get(order=order, number=4)
        )


@pytest.mark.django_db
def test_recipient_is_the_funder_or_a_distributor_and_the_order_is_released(released, funder, staff):
    order = released()
    provider = OrganisationFactory(kind="provider")
    other_funder = OrganisationFactory(kind="funder")
    for recipient in (provider, other_funder):
        with pytest.raises(DomainError, match="commanditaire de la commande ou un aiguilleur"):
            shipment_create(order=order, recipient=recipient, ranges=[(1, 1)], shipped_on=DAY, user=staff)
    from aptic.vouchers.issuance import order_create

    unprinted = order_create(funder=funder, quantity=10, valid_from=datetime.date(2026, 1, 1))
    with pytest.raises(DomainError, match="pas libérée"):
        shipment_create(order=unprinted, recipient=funder, ranges=[(1, 1)], shipped_on=DAY, user=staff)


@pytest.mark.django_db
def test_shipment_pages_are_for_staff_only(client, funder_admin):
    client.force_login(funder_admin)
    assert client.get(reverse("distribution:staff_shipments")).status_code == 403
