import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aptic.billing import services as billing
from aptic.billing.models import Offer
from aptic.billing.tests.helpers import pdf_bytes
from aptic.core.tests.factories import CommuneFactory
from aptic.vouchers.issuance import order_create, order_issue


@pytest.fixture
def make_order(funder):
    def make(quantity=20, booklet_size=10, issue=True, **kwargs):
        kwargs.setdefault("valid_from", datetime.date(2026, 1, 1))
        order = order_create(funder=funder, quantity=quantity, booklet_size=booklet_size, **kwargs)
        return order_issue(order=order) if issue else order

    return make


@pytest.fixture
def sold_order(staff):
    """An issued order sold by a validated quote of an offer with or without the custom cover (a
    Premium or a Plus with a small minimum, so that printing it stays quick)."""

    def make(*, custom_cover: bool, quantity=20):
        name = "Premium" if custom_cover else "Plus"
        offer = Offer.objects.create(
            code=f"{name.lower()}-test", name=name, minimum_quantity=quantity, allows_custom_cover=custom_cover
        )
        request = billing.quote_request_create(
            organisation_name="Commune de Saint-Étienne",
            siret="21420218600018",
            legal_category="commune",
            address="Place de l'Hôtel de Ville",
            commune=CommuneFactory(),
            contact_name="Dominique Maire",
            email="contact@saint-etienne.example",
            objectives="Aider les seniors à utiliser leur smartphone.",
            quantity=quantity,
            wished_offer=offer,
        )
        quote = billing.quote_create_from_request(request=request, actor=staff)
        billing.quote_update(
            quote=quote,
            actor=staff,
            offer=offer,
            quantity=quantity,
            booklet_size=10,
            valid_until=datetime.date.today() + datetime.timedelta(days=30),
        )
        quote = billing.quote_send(quote=quote, actor=staff)
        signed = SimpleUploadedFile("devis-signe.pdf", pdf_bytes(), content_type="application/pdf")
        quote = billing.quote_accept(quote=quote, kind="signed_quote", document=signed, signer_name="D. Maire")
        return billing.quote_validate(quote=quote, actor=staff).order

    return make
