"""A labelled provider with a place and offers, a funder, and issued orders: the counter's world."""

import datetime

import pytest

from aptic.core.tests import world
from aptic.core.tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from aptic.ledger.models import Entry
from aptic.places.models import Offer, Place
from aptic.vocabulary.models import PlaceTypology, ServiceCategory
from aptic.vocabulary.services import vocabulary_load
from aptic.vouchers.issuance import order_create, order_issue
from aptic.vouchers.models import Rating, Redemption, RedemptionLine, Voucher, VoucherEvent

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _vocabulary(db):
    vocabulary_load()


def make_labelled(organisation, user):
    """The organisation's provider labelled today, its charter accepted by `user`."""
    return world.label(organisation, accepted_by=user)


def snapshot():
    """Everything a redemption, a cancellation or a rating writes, through a service, a page or the API:
    compared before and after every refusal."""
    return (
        Redemption.objects.count(),
        RedemptionLine.objects.count(),
        Entry.objects.count(),
        VoucherEvent.objects.count(),
        Rating.objects.count(),
        list(Voucher.objects.order_by("pk").values_list("status", flat=True)),
        list(Redemption.objects.order_by("pk").values_list("cancelled_at", flat=True)),
    )


@pytest.fixture
def counter(db):
    """(provider organisation, its admin, a place in Saint-Étienne, a 25 € offer, a 10 € offer)."""
    organisation = OrganisationFactory(kind="provider", name="Fablab du Forez")
    admin = MembershipFactory(organisation=organisation, role="admin").user
    make_labelled(organisation, admin)
    commune = CommuneFactory()
    place = Place.objects.create(
        provider=organisation,
        name="Fablab du Forez",
        address="1 rue Test",
        commune=commune,
        latitude=commune.latitude,
        longitude=commune.longitude,
    )
    place.typologies.set([PlaceTypology.objects.get(standard_value="FABLAB")])
    category = ServiceCategory.objects.get(standard_value="Maîtrise des outils numériques du quotidien")
    workshop = Offer.objects.create(
        place=place,
        category=category,
        title="Atelier smartphone",
        price_cents=2500,
        duration_minutes=120,
        format="group",
    )
    short = Offer.objects.create(
        place=place,
        category=category,
        title="Aide ponctuelle",
        price_cents=1000,
        duration_minutes=30,
        format="individual",
    )
    return organisation, admin, place, workshop, short


@pytest.fixture
def issued(funder):
    """An issued order of 20 active 10 € vouchers, valid all of 2026."""

    def make(quantity=20, **kwargs):
        kwargs.setdefault("valid_from", datetime.date(2026, 1, 1))
        order = order_create(funder=funder, quantity=quantity, **kwargs)
        return order_issue(order=order)

    return make
