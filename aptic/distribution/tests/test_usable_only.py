"""Only vouchers still usable leave (issue #12): no shipment, postal mailing nor handout of an
ended order (its letter would promise a past date) or of a stopped booklet."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aptic.core.tests.helpers import text
from aptic.distribution.models import Handout, Mailing, Shipment, ShippedBooklet
from aptic.distribution.shipments import shipment_create
from aptic.vouchers.lifecycle import vouchers_stop
from aptic.vouchers.models import Booklet, Voucher

pytestmark = pytest.mark.django_db
LAST_YEAR = datetime.date(2025, 1, 1)
ADDRESSES = (
    b"nom;adresse;complement;code_postal;ville;categorie\nJeanne Martin;12 rue des Lilas;;33000;Bordeaux;senior\n"
)


def ended(released):
    """An order valid until 31/12/2025, tolerated until 31/01/2026: over."""
    return released(
        quantity=50,
        valid_from=LAST_YEAR,
        valid_until=datetime.date(2025, 12, 31),
        grace_until=datetime.date(2026, 1, 31),
    )


def stop_booklet(order, number, staff):
    vouchers_stop(vouchers=Booklet.objects.get(order=order, number=number).vouchers, actor=staff, reason="Vol")


def mail(client, funder, order):
    url = reverse("distribution:funder_mailings", kwargs={"org_slug": funder.slug})
    return client.post(url, {"order": order.pk, "file": SimpleUploadedFile("adresses.csv", ADDRESSES)})


def test_no_postal_mailing_for_an_ended_order(client, funder, funder_admin, released):
    order = ended(released)
    client.force_login(funder_admin)
    response = mail(client, funder, order)
    assert response.status_code == 400
    assert "n'est plus valable depuis le 31/12/2025" in text(response)
    assert not Mailing.objects.exists() and not Shipment.objects.exists()


def test_a_postal_mailing_skips_stopped_booklets(client, funder, funder_admin, released, staff):
    order = released(quantity=50)
    stop_booklet(order, 1, staff)
    client.force_login(funder_admin)
    assert mail(client, funder, order).status_code == 302
    assert list(ShippedBooklet.objects.values_list("booklet__number", flat=True)) == [2]


def test_no_shipment_of_an_ended_order_or_a_stopped_booklet(client, staff, released, distributor):
    client.force_login(staff)
    url = reverse("distribution:staff_shipments")
    today = datetime.date.today().isoformat()
    response = client.post(
        url, {"order": ended(released).pk, "recipient": distributor.pk, "ranges": "1-2", "shipped_on": today}
    )
    assert response.status_code == 400 and "n'est plus valable depuis le 31/12/2025" in text(response)
    order = released(quantity=50)
    stop_booklet(order, 3, staff)
    response = client.post(url, {"order": order.pk, "recipient": distributor.pk, "ranges": "1-4", "shipped_on": today})
    assert response.status_code == 400
    assert "Carnet n° 3 en opposition ou expiré" in text(response)
    assert not Shipment.objects.exists()
    response = client.post(url, {"order": order.pk, "recipient": distributor.pk, "ranges": "1-2", "shipped_on": today})
    assert response.status_code == 302


def test_no_handout_of_a_stopped_booklet(client, staff, released, distributor, distributor_member):
    order = released(quantity=50)
    shipment_create(order=order, recipient=distributor, ranges=[(1, 2)], shipped_on=datetime.date.today(), user=staff)
    stop_booklet(order, 2, staff)
    client.force_login(distributor_member)
    url = reverse("distribution:distributor_booklets", kwargs={"org_slug": distributor.slug})
    response = client.post(url, {"order": order.pk, "number": 2, "category": "senior"})
    assert response.status_code == 400
    assert "Carnet n° 2 en opposition" in text(response)
    assert not Handout.objects.exists()
    assert set(
        Voucher.objects.filter(order=order, sequence__gt=10, sequence__lte=20).values_list("status", flat=True)
    ) == {"stopped"}
    assert client.post(url, {"order": order.pk, "number": 1, "category": "senior"}).status_code == 302


def test_ended_orders_are_not_offered_and_quantities_read_the_french_way(client, funder, funder_admin, staff, released):
    """Found in review: order 4, over, was still in the lists, as "(30000 chèques)"."""
    over, current = ended(released), released(quantity=1500)
    client.force_login(funder_admin)
    page = text(client.get(reverse("distribution:funder_mailings", kwargs={"org_slug": funder.slug})))
    assert f"Commande n° {current.pk} (1\u202f500 chèques)" in page
    assert f"Commande n° {over.pk} " not in page
    client.force_login(staff)
    page = text(client.get(reverse("distribution:staff_shipments")))
    assert f"Commande n° {current.pk} — {funder.name} (1\u202f500 chèques)" in page
    assert f"Commande n° {over.pk} " not in page
