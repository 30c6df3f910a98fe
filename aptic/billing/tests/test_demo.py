"""The billing demo, built after the existing demo builders: funders at every stage, books that hold."""

import pytest
from django.test import override_settings

from aptic.billing import demo
from aptic.billing.models import CreditNote, FundMovement, Invoice, Payment, Quote, QuoteRequest
from aptic.billing.selectors import funder_pipeline
from aptic.demo import services as demo_services
from aptic.ledger.invariants import checks
from aptic.territories.services import territories_load
from aptic.vocabulary.services import vocabulary_load

from .helpers import facturx


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_demo_funders_at_every_stage():
    import random

    territories_load()
    vocabulary_load()
    context = demo_services.DemoContext(
        rng=random.Random(demo_services.SEED), password=demo_services.DEMO_PASSWORD, scale=0.02
    )
    # The builders before billing's, in the demo's order, then billing's.
    before = demo_services.BUILDERS[: demo_services.BUILDERS.index(demo.build)]
    for build in before:
        build(context)
    demo.build(context)

    assert set(QuoteRequest.objects.values_list("status", flat=True)) == {"new", "quoted", "closed"}
    assert set(Quote.objects.values_list("status", flat=True)) == {"draft", "sent", "accepted", "validated"}
    gironde = context.organisations["funder_dep"][0]
    stages = {row.stage for row in funder_pipeline(gironde)}
    assert stages == {"paid"}
    ccas = context.organisations["funder_ccas"][0]
    assert {row.stage for row in funder_pipeline(ccas)} == {"invoiced"}
    merignac = context.organisations["funder_prospects"][0]
    assert {row.stage for row in funder_pipeline(merignac)} == {"accepted"}
    expiry = CreditNote.objects.get(kind="expiry", funder=gironde)
    assert expiry.applications.get().invoice.funder == gironde  # deducted from this year's invoice
    assert CreditNote.objects.filter(kind="correction").count() == 1
    assert Payment.objects.count() == 3 and FundMovement.objects.count() == 3
    for invoice in Invoice.objects.all():
        facturx(invoice.pdf)
    for check in checks():
        assert check() == [], check.__name__
    assert any(email == "commanditaire.merignac@demo.aptic.fr" for email, _, _ in context.accounts)
