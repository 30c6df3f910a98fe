"""The printing and distribution demo builders, as the demo runs them (small scale)."""

import pytest
from django.db.models import Count, F

from aptic.demo.services import demo_build
from aptic.distribution.models import Handout, Mailing, Shipment
from aptic.distribution.selectors import vouchers_distributed, vouchers_shipped
from aptic.printing import demo as printing_demo
from aptic.printing.models import PrintFile, PrintRelease
from aptic.printing.selectors import vouchers_printed
from aptic.territories.services import territories_load
from aptic.vocabulary.services import vocabulary_load
from aptic.vouchers.models import Order

SCALE = 0.02


@pytest.mark.django_db
def test_demo_prints_ships_and_distributes(django_capture_on_commit_callbacks):
    territories_load()
    vocabulary_load()
    with django_capture_on_commit_callbacks(execute=False):
        context = demo_build(scale=SCALE, force=True)  # its builders include printing's and distribution's
    funders = [context.organisations[key][0] for key in printing_demo.FUNDERS]
    orders = list(Order.objects.filter(issued_at__isnull=False, funder__in=funders))
    assert PrintRelease.objects.count() == len(orders) == 4
    assert PrintRelease.objects.filter(reason="early").exclude(justification="").count() == 1
    assert PrintFile.objects.exclude(file="").exists()  # the smallest order has real files
    printed = vouchers_printed([o.pk for o in orders])
    assert all(printed[o.pk] == o.quantity for o in orders)
    shipped = vouchers_shipped([o.pk for o in orders])
    distributed = vouchers_distributed([o.pk for o in orders])
    assert len(shipped) == 4 and all(0 < distributed[k] <= shipped[k] for k in distributed)
    assert set(Shipment.objects.values_list("recipient__kind", flat=True)) == {"funder", "distributor"}
    categories = Handout.objects.values("category").annotate(n=Count("pk"))
    assert len(categories) >= 3
    mailing = Mailing.objects.get()
    assert mailing.status == "mailed" and mailing.addresses.count() == 3 and mailing.letters
    # No booklet handed out twice, each through a shipment to the organisation that handed it out.
    assert not Handout.objects.exclude(organisation=F("shipped__shipment__recipient")).exists()
