import datetime

import pytest
from django.urls import reverse

from aptic.core.tests.factories import MembershipFactory, OrganisationFactory
from aptic.distribution.models import Handout
from aptic.distribution.selectors import vouchers_distributed
from aptic.distribution.shipments import shipment_create
from aptic.vouchers.models import Voucher

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def shipped(released, distributor, staff):
    order = released(quantity=100)
    shipment_create(order=order, recipient=distributor, ranges=[(1, 5)], shipped_on=DAY, user=staff)
    return order


def _hand_out(client, organisation, order, number, category="senior"):
    url = reverse("distribution:distributor_booklets", kwargs={"org_slug": organisation.slug})
    return client.post(url, {"order": order.pk, "number": number, "category": category})


@pytest.mark.django_db
def test_distributor_hands_out_a_booklet_which_activates_it(client, shipped, distributor, distributor_member):
    client.force_login(distributor_member)
    booklet_vouchers = Voucher.objects.filter(order=shipped, sequence__lte=10)
    assert set(booklet_vouchers.values_list("status", flat=True)) == {"issued"}
    response = _hand_out(client, distributor, shipped, 1, "job_seeker")
    assert response.status_code == 302
    handout = Handout.objects.get()
    assert handout.category == "job_seeker" and handout.organisation == distributor
    assert set(booklet_vouchers.values_list("status", flat=True)) == {"active"}
    assert Voucher.objects.filter(order=shipped, status="active").count() == 10
    assert vouchers_distributed([shipped.pk]) == {shipped.pk: 10}
    page = client.get(reverse("distribution:distributor_booklets", kwargs={"org_slug": distributor.slug}))
    assert "Demandeur d&#x27;emploi" in page.content.decode()
    # Only the category is kept: no field for anything personal.
    assert {f.name for f in Handout._meta.concrete_fields} == {
        "id", "shipped", "organisation", "category", "handed_out_on", "recorded_by", "created_at"
    }  # fmt: skip


@pytest.mark.django_db
def test_on_issue_orders_stay_as_they_are(client, released, distributor, distributor_member, staff):
    order = released(quantity=20, activation="on_issue")
    shipment_create(order=order, recipient=distributor, ranges=[(1, 2)], shipped_on=DAY, user=staff)
    client.force_login(distributor_member)
    assert _hand_out(client, distributor, order, 2).status_code == 302
    assert not Voucher.objects.filter(order=order).exclude(status="active").exists()


@pytest.mark.django_db
def test_booklet_not_shipped_to_the_distributor_is_refused(client, shipped, distributor, distributor_member):
    client.force_login(distributor_member)
    response = _hand_out(client, distributor, shipped, 6)  # booklet 6 never left
    assert response.status_code == 403
    assert "n&#x27;a pas été expédié à votre organisation" in response.content.decode()
    other = OrganisationFactory(kind="distributor")
    member = MembershipFactory(organisation=other).user
    client.force_login(member)
    # Another distributor cannot hand out the first one's booklets, nor open its page.
    assert _hand_out(client, other, shipped, 1).status_code in (400, 403)
    assert _hand_out(client, distributor, shipped, 1).status_code == 403
    assert (
        client.get(reverse("distribution:distributor_booklets", kwargs={"org_slug": distributor.slug})).status_code
        == 403
    )
    assert not Handout.objects.exists()
    assert not Voucher.objects.filter(order=shipped, status="active").exists()


@pytest.mark.django_db
def test_a_booklet_is_handed_out_once_and_with_a_category(client, shipped, distributor, distributor_member):
    client.force_login(distributor_member)
    assert _hand_out(client, distributor, shipped, 2, "").status_code == 400
    assert _hand_out(client, distributor, shipped, 2).status_code == 302
    response = _hand_out(client, distributor, shipped, 2, "young")
    assert response.status_code == 400 and "déjà enregistré comme remis" in response.content.decode()
    assert Handout.objects.count() == 1


@pytest.mark.django_db
def test_funder_hands_out_its_own_booklets_and_sees_only_its_shipments(
    client, released, funder, funder_member, distributor, staff
):
    order = released(quantity=50)
    shipment_create(order=order, recipient=funder, ranges=[(1, 2)], shipped_on=DAY, user=staff)
    shipment_create(order=order, recipient=distributor, ranges=[(3, 5)], shipped_on=DAY, user=staff)
    other_funder = OrganisationFactory(kind="funder", name="Autre commanditaire")
    other_order = released(quantity=20, funder=other_funder)
    shipment_create(order=other_order, recipient=distributor, ranges=[(1, 1)], shipped_on=DAY, user=staff)
    client.force_login(funder_member)
    assert _hand_out(client, funder, order, 1, "association").status_code == 302
    assert _hand_out(client, funder, order, 3).status_code == 403  # at the distributor's
    page = client.get(reverse("distribution:funder_shipments", kwargs={"org_slug": funder.slug})).content.decode()
    assert distributor.name in page and f"n° {other_order.pk}</td>" not in page
    assert "1 sur 2" in page
    url = reverse("distribution:funder_shipments", kwargs={"org_slug": other_funder.slug})
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_a_run_of_booklets_is_handed_out_all_or_none(shipped, distributor, distributor_member):
    from aptic.core.errors import DomainError
    from aptic.distribution.shipments import booklets_hand_out

    with pytest.raises(DomainError, match="pas tous été expédiés"):
        booklets_hand_out(
            organisation=distributor,
            order=shipped,
            first=4,
            last=6,
            category="senior",
            user=distributor_member,
            day=DAY,
        )
    assert not Handout.objects.exists()
    count = booklets_hand_out(
        organisation=distributor, order=shipped, first=1, last=3, category="young", user=distributor_member, day=DAY
    )
    assert count == 3 and Voucher.objects.filter(order=shipped, status="active").count() == 30
    with pytest.raises(DomainError, match="déjà remis"):
        booklets_hand_out(
            organisation=distributor, order=shipped, first=3, last=4, category="young", user=distributor_member, day=DAY
        )
