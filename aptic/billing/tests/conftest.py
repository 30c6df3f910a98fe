"""Billing's test world: the offers, a staff member, a quote request, and quotes at each stage."""

import datetime

import pytest
from django.utils import timezone

from aptic.billing import services
from aptic.billing.models import Offer
from aptic.core.tests.factories import CommuneFactory

OFFERS = [
    {"code": "standard", "name": "Standard", "position": 1, "minimum_quantity": 1000, "allows_booklet_5": False},
    {
        "code": "plus",
        "name": "Plus",
        "position": 2,
        "minimum_quantity": 2000,
        "allows_booklet_5": True,
        "allows_platform_distribution": True,
        "allows_network_delivery": True,
    },
    {
        "code": "premium",
        "name": "Premium",
        "position": 3,
        "minimum_quantity": 2000,
        "allows_booklet_5": True,
        "allows_custom_cover": True,
        "allows_platform_distribution": True,
        "allows_network_delivery": True,
        "allows_service_targeting": True,
        "white_label_exports": True,
    },
]
SIRET = "21420218600018"  # a valid SIRET (Luhn), as a commune's


def quote_form(offers, **changes) -> dict:
    """The staff quote page's form filled as a Plus quote of 2,000 vouchers of 10 € in booklets of 5,
    valid 30 days, activated on distribution; `changes` on top."""
    form = {
        "offer": offers["plus"].pk,
        "quantity": "2000",
        "booklet_size": "5",
        "face_value": "10",
        "valid_until": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "activation": "on_distribution",
    }
    form.update(changes)
    return form


@pytest.fixture(autouse=True)
def offers(db):
    """Seeded by a migration; recreated when a transactional test elsewhere flushed the table."""
    for values in OFFERS:
        values = dict(values)
        Offer.objects.get_or_create(code=values.pop("code"), defaults=values)
    return {o.code: o for o in Offer.objects.all()}


@pytest.fixture
def quote_request(db):
    def make(**kwargs):
        values = {
            "organisation_name": "Commune de Saint-Étienne",
            "siret": SIRET,
            "legal_category": "commune",
            "address": "Place de l'Hôtel de Ville",
            "commune": CommuneFactory(),
            "contact_name": "Dominique Maire",
            "email": "contact@saint-etienne.example",
            "objectives": "Aider les seniors à utiliser leur smartphone.",
            "quantity": 2000,
            "wished_offer": Offer.objects.get(code="plus"),
        }
        values.update(kwargs)
        return services.quote_request_create(**values)

    return make


@pytest.fixture
def sent_quote(quote_request, staff):
    """A Plus quote of 2,000 vouchers in booklets of 5, with network delivery at 350 €, sent; `request`:
    changes to the quote request (another buyer)."""

    def make(quantity=2000, options=None, offer="plus", request=None, **kwargs):
        quote = services.quote_create_from_request(request=quote_request(**(request or {})), actor=staff)
        services.quote_update(
            quote=quote,
            actor=staff,
            offer=Offer.objects.get(code=offer),
            quantity=quantity,
            booklet_size=5,
            valid_until=datetime.date.today() + datetime.timedelta(days=30),
            options={"network_delivery": 35000} if options is None else options,
            **kwargs,
        )
        return services.quote_send(quote=quote, actor=staff)

    return make
