"""Who sees what: staff pages for staff only, a funder's documents for its members only; the public
form's honeypot and rate limit."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from aptic.billing import services
from aptic.billing.models import QuoteRequest
from aptic.core.tests.factories import CommuneFactory, MembershipFactory, OrganisationFactory

from .helpers import pdf_bytes
from .test_end_to_end import request_quote

STAFF_PAGES = ["billing:staff_requests", "billing:staff_quotes", "billing:staff_invoices", "billing:staff_fund"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_are_for_staff(client, user, staff, name):
    assert client.get(reverse(name)).status_code == 302  # to the login page
    client.force_login(user)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(staff)
    assert client.get(reverse(name)).status_code == 200


@pytest.fixture
def invoiced(sent_quote, staff):
    quote = sent_quote()
    upload = SimpleUploadedFile("devis.pdf", pdf_bytes(), content_type="application/pdf")
    quote = services.quote_accept(quote=quote, kind="signed_quote", document=upload, signer_name="M. X")
    quote = services.quote_validate(quote=quote, actor=staff)
    return services.invoice_issue(order=quote.order, actor=staff)


@pytest.mark.django_db
def test_a_funder_never_sees_another_funders_documents(client, invoiced):
    owner = MembershipFactory(organisation=invoiced.funder, role="member").user
    other = OrganisationFactory(kind="funder")
    stranger = MembershipFactory(organisation=other, role="admin").user
    pdf = {"org_slug": invoiced.funder.slug, "pk": invoiced.pk}
    client.force_login(owner)
    assert client.get(reverse("billing:funder_invoice_pdf", kwargs=pdf)).status_code == 200
    documents = reverse("billing:funder_documents", kwargs={"org_slug": pdf["org_slug"]})
    assert invoiced.number in client.get(documents).content.decode()
    client.force_login(stranger)
    assert client.get(reverse("billing:funder_invoice_pdf", kwargs=pdf)).status_code == 403
    # Through its own space, the other funder's invoice id is unknown.
    mine = {"org_slug": other.slug, "pk": invoiced.pk}
    assert client.get(reverse("billing:funder_invoice_pdf", kwargs=mine)).status_code == 404
    page = client.get(reverse("billing:funder_documents", kwargs={"org_slug": other.slug})).content.decode()
    assert invoiced.number not in page
    provider = OrganisationFactory(kind="provider")
    client.force_login(MembershipFactory(organisation=provider, role="admin").user)
    assert client.get(reverse("billing:funder_documents", kwargs={"org_slug": provider.slug})).status_code == 403


@pytest.mark.django_db
def test_fund_page_shows_other_funders_anonymously(client, invoiced, staff):
    services.payment_record(
        invoice=invoiced, amount_cents=invoiced.due_cents, received_on=datetime.date.today(), actor=staff
    )
    neighbour = OrganisationFactory(kind="funder", name="Voisin discret", commune=CommuneFactory())
    client.force_login(MembershipFactory(organisation=neighbour, role="member").user)
    page = client.get(reverse("billing:funder_fund", kwargs={"org_slug": neighbour.slug})).content.decode()
    assert "200 €" in page and "Un autre commanditaire du territoire" in page
    assert invoiced.funder.name not in page


@pytest.mark.django_db
def test_a_wrong_acceptance_link(client):
    response = client.get(reverse("billing:quote_accept", kwargs={"token": "nope"}))
    assert response.status_code == 404 and "dernier lien" in response.content.decode()


@pytest.mark.django_db
def test_honeypot_refuses_robots(client, offers):
    CommuneFactory()
    response = request_quote(client, offers, website="http://spam.example")
    assert response.status_code == 400 and "pas pu être envoyée" in response.content.decode()
    assert QuoteRequest.objects.count() == 0


@pytest.mark.django_db
@override_settings(APTIC_QUOTE_REQUEST_LIMIT=2)
def test_rate_limit_per_address(client, offers):
    CommuneFactory()
    assert request_quote(client, offers).status_code == 302
    assert request_quote(client, offers).status_code == 302
    response = request_quote(client, offers)
    assert response.status_code == 429 and "Réessayez dans" in response.content.decode()
    assert QuoteRequest.objects.count() == 2
    assert request_quote(client, offers, meta={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302  # another address


@pytest.mark.django_db
def test_form_errors_are_french_and_named(client, offers):
    CommuneFactory()
    response = request_quote(client, offers, siret="12345", quantity="1 500")
    page = response.content.decode()
    assert response.status_code == 400
    assert "ni un SIREN (9 chiffres) ni un SIRET (14 chiffres) valide" in page
