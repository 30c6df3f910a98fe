"""A payouts world: a funder's order of active vouchers, labelled providers with a place, a 10 € offer
and verified bank details, redemptions back-dated into the previous month, and two staff members."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from aptic.core.tests import world
from aptic.core.tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory, UserFactory
from aptic.ledger.invariants import checks
from aptic.places.models import Offer, Place
from aptic.vocabulary.models import ServiceCategory
from aptic.vocabulary.services import vocabulary_load
from aptic.vouchers.issuance import order_create, order_issue
from aptic.vouchers.models import Voucher, VoucherStatus
from aptic.vouchers.redemption import redemption_create

from ..bank import bank_details_review, bank_details_submit
from ..services import previous_month

IBANS = ["FR7630004000031234567890143", "FR7630006000011234567890189", "FR1420041010050500013M02606"]


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def rib_upload(name="rib.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, png_bytes() if data is None else data, content_type=content_type)


def ledger_breaches() -> list[str]:
    return [breach for check in checks() for breach in check()]


class World:
    def __init__(self):
        vocabulary_load()
        self.today = timezone.localdate()
        self.month = previous_month(self.today)
        self.funder = OrganisationFactory(kind="funder", name="Département test")
        order = order_create(
            funder=self.funder,
            quantity=400,
            valid_from=self.today - datetime.timedelta(days=200),
            valid_until=self.today + datetime.timedelta(days=30),
            grace_until=self.today + datetime.timedelta(days=60),
        )
        self.order = order_issue(order=order)
        self._codes = iter(
            Voucher.objects.filter(order=self.order, status=VoucherStatus.ACTIVE)
            .order_by("sequence")
            .values_list("code", flat=True)
        )
        self.commune = CommuneFactory()
        self.category = ServiceCategory.objects.first()
        self.staff = UserFactory(is_staff=True, full_name="Camille Prépare")
        self.staff2 = UserFactory(is_staff=True, full_name="Dominique Approuve")
        self.providers = []

    def provider(self, name, *, iban_index=0, verified=True, bank=True):
        organisation = OrganisationFactory(kind="provider", name=name)
        admin = MembershipFactory(organisation=organisation, role="admin").user
        world.label(organisation, accepted_by=admin)
        place = Place.objects.create(
            provider=organisation,
            name=f"Lieu de {name}",
            address="1 rue Test",
            commune=self.commune,
            latitude=self.commune.latitude,
            longitude=self.commune.longitude,
        )
        offer = Offer.objects.create(
            place=place,
            category=self.category,
            title="Atelier « découverte »",
            price_cents=1000,
            duration_minutes=60,
            format="individual",
        )
        organisation.admin, organisation.place, organisation.offer = admin, place, offer
        if bank:
            details = bank_details_submit(
                provider=organisation,
                user=admin,
                holder=name,
                iban=IBANS[iban_index % len(IBANS)],
                bic="",
                rib=rib_upload(),
            )
            if verified:
                bank_details_review(details=details, staff=self.staff, verify=True)
        self.providers.append(organisation)
        return organisation

    def redeem(self, organisation, count=1, at=None):
        """`count` redemptions of one voucher each, by default in the middle of the previous month."""
        at = at or timezone.make_aware(datetime.datetime.combine(self.month.replace(day=15), datetime.time(10)))
        return [
            redemption_create(
                provider=organisation,
                place=organisation.place,
                offer=organisation.offer,
                codes=[next(self._codes)],
                user=organisation.admin,
                at=at + datetime.timedelta(minutes=n),
            ).redemption
            for n in range(count)
        ]


@pytest.fixture
def pay(db, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    return World()
