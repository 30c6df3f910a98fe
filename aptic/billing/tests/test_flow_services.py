"""The commercial chain through the services: quote, acceptance, validation, invoice, payment, expiry."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from aptic.billing import services
from aptic.billing.invoicing import expiry_credit_notes_issue
from aptic.billing.models import CreditNote, FundMovement, QuoteStatus
from aptic.ledger.invariants import checks
from aptic.ledger.models import Entry
from aptic.vouchers.lifecycle import vouchers_expire

from .helpers import pdf_bytes


def balance(code):
    return sum(Entry.objects.filter(account__code=code).values_list("amount_cents", flat=True))


def books_hold():
    for check in checks():
        assert check() == [], check.__name__


@pytest.mark.django_db
def test_quote_to_credit_note(sent_quote, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        quote = sent_quote()
    assert quote.number.startswith("D-") and quote.pdf.startswith(b"%PDF-")
    assert "/devis/accepter/" in mail.outbox[-1].body
    signed = SimpleUploadedFile("devis-signe.pdf", pdf_bytes(), content_type="application/pdf")
    quote = services.quote_accept(quote=quote, kind="signed_quote", document=signed, signer_name="D. Maire, maire")
    quote = services.quote_validate(quote=quote, actor=staff)
    assert quote.status == QuoteStatus.VALIDATED
    order = quote.order
    assert order.quantity == 2000 and order.booklet_size == 5 and order.issued_at
    assert order.funder.memberships.count() == 0 and order.funder.invitations.get().role == "admin"
    invoice = services.invoice_issue(order=order, actor=staff)
    # 2,000 × 10 € + 4 % fee (800 €) + VAT 20 % on fee (160 €) and on delivery 350 € (70 €)
    assert (invoice.face_total_cents, invoice.fee_cents, invoice.options_cents) == (2_000_000, 80_000, 35_000)
    assert (invoice.vat_cents, invoice.total_cents, invoice.due_cents) == (23_000, 2_138_000, 2_138_000)
    books_hold()
    services.payment_record(invoice=invoice, amount_cents=2_138_000, received_on=datetime.date.today(), actor=staff)
    fund = FundMovement.objects.get(order=order)
    assert fund.amount_cents == 20_000 and fund.territory_code == "42"
    assert balance(f"funder:{order.funder_id}") == 0
    assert balance("platform:territorial_fund") == -20_000
    books_hold()
    vouchers_expire(day=order.grace_until + datetime.timedelta(days=1))
    notes = expiry_credit_notes_issue()
    assert [n.total_cents for n in notes] == [2_000_000]
    books_hold()
    assert CreditNote.objects.get().number.startswith("A-")


def _provider_of_the_loire():
    from aptic.core.tests import world
    from aptic.core.tests.factories import CommuneFactory, OrganisationFactory

    return world.label(OrganisationFactory(kind="provider", name="Fablab de Firminy", commune=CommuneFactory()))


@pytest.mark.django_db
def test_staff_validating_a_quote_create_its_sponsorships_for_a_new_funder(sent_quote, staff):
    """The funder has no account yet: staff, not its administrators, create the sponsorships."""
    from aptic.accounts.models import Organisation

    provider = _provider_of_the_loire()
    quote = sent_quote(sponsored_providers=[provider], options={"sponsorship": 7700})
    signed = SimpleUploadedFile("devis.pdf", pdf_bytes(), content_type="application/pdf")
    quote = services.quote_accept(quote=quote, kind="signed_quote", document=signed, signer_name="M. X")
    services.quote_validate(quote=quote, actor=staff)
    funder = Organisation.objects.get(kind="funder")
    assert list(funder.sponsorships.values_list("provider_id", flat=True)) == [provider.pk]


@pytest.mark.django_db
def test_sponsorships_created_at_validation(sent_quote, staff):
    from aptic.accounts.models import Organisation
    from aptic.core.tests.factories import CommuneFactory, MembershipFactory

    from .conftest import SIRET

    funder = Organisation.objects.create(
        kind="funder", name="Commune de Saint-Étienne", slug="st-etienne", siret=SIRET, commune=CommuneFactory()
    )
    MembershipFactory(organisation=funder, user=staff, role="admin")
    provider = _provider_of_the_loire()
    quote = sent_quote(sponsored_providers=[provider], options={"sponsorship": 7700})
    assert quote.funder == funder  # found by its SIRET
    signed = SimpleUploadedFile("devis.pdf", pdf_bytes(), content_type="application/pdf")
    quote = services.quote_accept(quote=quote, kind="signed_quote", document=signed, signer_name="M. X")
    quote = services.quote_validate(quote=quote, actor=staff)
    assert list(funder.sponsorships.values_list("provider_id", flat=True)) == [provider.pk]


@pytest.mark.django_db
@pytest.mark.ledger_breach  # the breach the check must find
def test_invariants_catch_money_without_its_document(funder):
    from aptic.billing.invariants import funder_account_equals_documents
    from aptic.ledger import services as ledger

    assert funder_account_equals_documents() == []
    ledger.transaction_post(
        kind="payment",
        description="Virement saisi à la main, sans facture ni paiement enregistré",
        reference="payment:manual",
        lines=[(ledger.platform_account("platform:bank"), 500), (ledger.funder_account(funder), -500)],
    )
    assert funder_account_equals_documents() == [
        f"Commanditaire n° {funder.pk} : -500 centimes à son compte au grand livre, "
        "0 selon ses commandes, factures, paiements et avoirs."
    ]
