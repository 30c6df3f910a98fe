"""A funder's journey through the pages, each step as the user who takes it: public quote request →
staff quote → acceptance with a signed PDF → validation (account and order) → Factur-X invoice →
payment (fund, printing) → print file opened and its QR codes decoded → booklets shipped to a
distributor and to the funder → handed out with a public category (which activates them) →
partly redeemed at a labelled provider's counter, by scanning the printed codes → expiry → credit
note for exactly the vouchers not redeemed → deducted from the next invoice."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aptic.accounts import services as accounts
from aptic.accounts.models import Organisation
from aptic.billing.models import CreditNote, FundMovement, Invoice, Quote, QuoteRequest
from aptic.core.tests import world
from aptic.core.tests.factories import CommuneFactory
from aptic.core.tests.helpers import text
from aptic.ledger.invariants import checks
from aptic.places import services as places
from aptic.printing.tests.helpers import decoded
from aptic.vocabulary.models import PlaceTypology, ServiceCategory
from aptic.vouchers.links import voucher_url
from aptic.vouchers.models import Redemption, Voucher

from .conftest import SIRET, quote_form
from .helpers import facturx, pdf_bytes, pdf_text, xpath

PASSWORD = "un-mot-de-passe-solide"
FILE_VOUCHERS = 50  # print files of ten booklets of five: the first one is decoded page by page
TOTALS = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation/"  # noqa: E501


def books_hold():
    for check in checks():
        assert check() == [], check.__name__


def link_in(message, pattern):
    return re.search(r"https?://[^/\s]+(" + pattern + r"[^\s]*)", message.body).group(1)


def request_quote(client, offers, meta=None, **extra):
    data = {
        "organisation_name": "Commune de Saint-Étienne",
        "siret": "214 202 186 00018",
        "legal_category": "commune",
        "address": "Place de l'Hôtel de Ville",
        "commune": "42218",
        "contact_name": "Dominique Maire",
        "email": "d.maire@saint-etienne.example",
        "objectives": "Accompagner les seniors vers les démarches en ligne.",
        "quantity": "2 000",
        "wished_offer": offers["plus"].pk,
        "website": "",
    }
    data.update(extra)
    return client.post(reverse("billing:quote_request"), data, **(meta or {}))


def staff_quotes_and_sends(staff_client, capture, offers):
    quote_request = QuoteRequest.objects.latest("pk")
    response = staff_client.get(reverse("billing:staff_requests"))
    assert "Commune de Saint-Étienne" in response.content.decode()
    response = staff_client.post(reverse("billing:staff_request", kwargs={"pk": quote_request.pk}), {"action": "quote"})
    quote = Quote.objects.latest("pk")
    assert response.url == reverse("billing:staff_quote", kwargs={"pk": quote.pk})
    form = quote_form(offers, network_delivery="350", rule_departements=["42"], action="send")
    with capture(execute=True):
        response = staff_client.post(reverse("billing:staff_quote", kwargs={"pk": quote.pk}), form)
    assert response.status_code == 302, response.content.decode()
    quote.refresh_from_db()
    assert quote.status == "sent" and quote.total_cents == 2_138_000
    return quote, link_in(mail.outbox[-1], "/devis/accepter/")


def funder_accepts(link):
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and "21\u202f380 €" in page.content.decode()
    assert visitor.get(link + "devis.pdf")["Content-Type"] == "application/pdf"
    signed = SimpleUploadedFile("devis-signé.pdf", pdf_bytes("Bon pour accord"), content_type="application/pdf")
    response = visitor.post(link, {"kind": "signed_quote", "signer_name": "Dominique Maire, maire", "document": signed})
    assert response.status_code == 302
    assert "Merci : votre acceptation" in visitor.get(link).content.decode()


def logged_in(email):
    """A browser of someone who signs in on the login page."""
    browser = Client()
    response = browser.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})
    assert response.status_code == 302, text(response)
    return browser


def member_of(organisation, email):
    user = accounts.user_create(email=email, password=PASSWORD, full_name=email.split("@")[0])
    accounts.membership_add(user=user, organisation=organisation)
    return logged_in(email)


def labelled_provider():
    """A labelled fablab in Saint-Étienne with a 25 € workshop and a 10 € help session, and its
    member. Labelling is staff's review of a questionnaire, not this journey: set up directly."""
    provider = accounts.organisation_create(kind="provider", name="Fablab du Forez")
    browser = member_of(provider, "accueil@fablab-forez.example")
    world.label(provider)
    place = places.place_create(
        provider=provider,
        name="Fablab du Forez",
        address="1 rue de la Résistance",
        commune=CommuneFactory(),
        typologies=[PlaceTypology.objects.get(standard_value="FABLAB")],
    )
    category = ServiceCategory.objects.get(standard_value="Maîtrise des outils numériques du quotidien")
    service = {"place": place, "category": category, "format": "group"}
    workshop = places.offer_create(**service, title="Atelier smartphone", price_cents=2500, duration_minutes=120)
    help_session = places.offer_create(**service, title="Aide ponctuelle", price_cents=1000, duration_minutes=30)
    return provider, browser, place, workshop, help_session


def ship(staff_client, order, recipient, ranges):
    response = staff_client.post(
        reverse("distribution:staff_shipments"),
        {"order": order.pk, "recipient": recipient.pk, "ranges": ranges, "shipped_on": timezone.localdate()},
    )
    assert response.status_code == 302, text(response)


def hand_out(browser, organisation, order, number, category):
    url = reverse("distribution:distributor_booklets", kwargs={"org_slug": organisation.slug})
    response = browser.post(url, {"order": order.pk, "number": number, "category": category})
    assert response.status_code == 302, text(response)
    return text(browser.get(url))


def at_the_counter(browser, provider, place, service, scanned, action):
    """The provider's member scans codes (the URLs their QR codes carry) for a service."""
    url = reverse("vouchers:counter", kwargs={"org_slug": provider.slug})
    data = {"lieu": place.pk, "service": service.pk, "code": scanned, "action": action}
    return browser.post(url, data)


def follow_up(browser, funder, order):
    """The funder's follow-up page for the order: its stage, and its vouchers at each step."""
    html = text(browser.get(reverse("funders:orders", kwargs={"org_slug": funder.slug})))
    section = html[html.index(f'id="order-{order.pk}"') :]
    stage = re.search(r'<span class="badge">(.*?)</span>', section).group(1)
    row = re.search(r"<tbody><tr>(.*?)</tr></tbody>", section).group(1)
    counts = [int(n.replace("\u202f", "")) for n in re.findall(r"<td>([\d\u202f]+)</td>", row)]  # "2 000"
    return stage, dict(zip(("printed", "shipped", "distributed", "redeemed", "expired"), counts, strict=True))


def booklet_urls(pages, number):
    """The URLs decoded on booklet `number` of a print file of booklets of five (cover, then a page)."""
    return pages[2 * number - 1]


@pytest.mark.django_db
def test_quote_request_to_credit_note_through_the_pages(
    client, staff, offers, vocabulary, settings, django_capture_on_commit_callbacks, monkeypatch
):
    capture = django_capture_on_commit_callbacks
    settings.APTIC_PRINT_FILE_VOUCHERS = FILE_VOUCHERS
    CommuneFactory()
    staff_client = Client()
    staff_client.force_login(staff)

    # 1. The public request.
    response = request_quote(client, offers)
    assert response.url == reverse("billing:quote_request_done")
    assert "d.maire@saint-etienne.example" in client.get(response.url).content.decode()

    # 2. Staff prepare and send the quote; 3. the funder accepts it with the signed PDF.
    quote, link = staff_quotes_and_sends(staff_client, capture, offers)
    funder_accepts(link)

    # Staff validate: organisation, administrator invited, order issued with its rules.
    staff_client.get(reverse("billing:staff_quote_acceptance_file", kwargs={"pk": quote.pk}))
    with capture(execute=True):
        response = staff_client.post(reverse("billing:staff_quote", kwargs={"pk": quote.pk}), {"action": "validate"})
    quote.refresh_from_db()
    order = quote.order
    funder = Organisation.objects.get(kind="funder", siret=SIRET)
    assert order.funder == funder and order.issued_at and order.booklet_size == 5
    assert list(order.rule_departements.values_list("code", flat=True)) == ["42"]
    invitation = link_in(mail.outbox[-1], "/invitation/")

    # 4. The invoice, in Factur-X.
    response = staff_client.post(reverse("billing:staff_invoice_issue", kwargs={"order_pk": order.pk}))
    invoice = Invoice.objects.get(order=order)
    assert response.url == reverse("billing:staff_invoice", kwargs={"pk": invoice.pk})
    root = facturx(staff_client.get(reverse("billing:staff_invoice_pdf", kwargs={"pk": invoice.pk})).content)
    assert xpath(root, TOTALS + "ram:DuePayableAmount") == "21380.00"
    books_hold()

    # Payment recorded by staff: the territory's fund gets 1 %, printing is released and produced.
    with capture(execute=True):
        response = staff_client.post(
            reverse("billing:staff_invoice", kwargs={"pk": invoice.pk}),
            {
                "action": "payment",
                "payment-amount": "21 380,00",
                "payment-received_on": timezone.localdate().isoformat(),
                "payment-method": "public_treasury",
                "payment-reference": "Mandat 2026-77",
            },
        )
    assert response.status_code == 302, response.content.decode()
    assert FundMovement.objects.get(order=order).amount_cents == 20_000
    books_hold()

    # 5. Staff see the files ready and open the first one, as the printer will: ten booklets of five,
    # each a cover then a page of five vouchers whose QR codes decode to the vouchers' public URLs.
    page = text(staff_client.get(reverse("printing:staff_order", kwargs={"pk": order.pk})))
    assert "Commande payée" in page and "Terminé" in page
    assert f"aptic-commande-{order.pk:05d}-fichier-040.pdf" in page  # 2,000 vouchers, 50 a file
    response = staff_client.get(reverse("printing:staff_file", kwargs={"pk": order.pk, "part": 1}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = decoded(b"".join(response.streaming_content))
    assert len(pages) == 20 and all(pages[i] == [] for i in range(0, 20, 2))  # covers carry no code
    codes = Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)
    assert [url for page in pages for url in page] == [voucher_url(code) for code in codes[:FILE_VOUCHERS]]
    first_url = urlsplit(booklet_urls(pages, 1)[0]).path
    assert "Pas encore activé" in text(Client().get(first_url))  # what a beneficiary's phone opens

    # The funder's administrator joins and sees its documents, orders and fund.
    funder_client = Client()
    response = funder_client.post(
        invitation,
        {
            "full_name": "Dominique Maire",
            "password": "un-mot-de-passe-solide",
            "password_confirm": "un-mot-de-passe-solide",
        },
    )
    assert response.status_code == 302
    funder_client.force_login(funder.memberships.get(role="admin").user)
    slug = {"org_slug": funder.slug}
    page = funder_client.get(reverse("billing:funder_documents", kwargs=slug)).content.decode()
    assert invoice.number in page and "Payée" in page
    # Commandes gives the order the status Suivi gives it (ADR 0023), and says the invoice is paid.
    orders_page = text(funder_client.get(reverse("funders:commercial_orders", kwargs=slug)))
    stage, _ = follow_up(funder_client, funder, order)
    assert f"<td>{stage}</td>" in orders_page and "(payée)" in orders_page
    fund = funder_client.get(reverse("billing:funder_fund", kwargs=slug)).content.decode()
    assert "Loire (42)" in fund or "Loire" in fund
    assert "200 €" in fund
    pdf = funder_client.get(reverse("billing:funder_invoice_pdf", kwargs={**slug, "pk": invoice.pk})).content
    facturx(pdf)
    assert follow_up(funder_client, funder, order) == (
        "Imprimée",
        {"printed": 2000, "shipped": 0, "distributed": 0, "redeemed": 0, "expired": 0},
    )

    # 6. Staff ship booklets 1 to 4 to a CCAS that hands them out, 5 and 6 to the funder itself.
    distributor = accounts.organisation_create(kind="distributor", name="CCAS de Saint-Étienne")
    distributor_client = member_of(distributor, "accueil@ccas-saint-etienne.example")
    ship(staff_client, order, distributor, "1-4")
    ship(staff_client, order, funder, "5, 6")
    shipments = text(funder_client.get(reverse("distribution:funder_shipments", kwargs=slug)))
    assert "CCAS de Saint-Étienne" in shipments and "0 sur 4" in shipments and "0 sur 2" in shipments

    # 7. The CCAS hands out booklets 1 and 2, the funder booklet 5: public category only, and the
    # order activates vouchers on distribution. Booklet 3 waits on the CCAS's shelf.
    hand_out(distributor_client, distributor, order, 1, "senior")
    page = hand_out(distributor_client, distributor, order, 2, "job_seeker")
    assert "Senior" in page and "Demandeur d'emploi" in page
    hand_out(funder_client, funder, order, 5, "senior")
    statuses = dict(Voucher.objects.filter(order=order, sequence__lte=30).values_list("sequence", "status"))
    active = set(range(1, 11)) | set(range(21, 26))  # booklets 1, 2 and 5
    assert {n for n, status in statuses.items() if status == "active"} == active
    assert "Utilisable" in text(Client().get(first_url))

    # 8. A labelled fablab's member scans vouchers at the counter: three of booklet 1 for a 25 €
    # workshop, one of booklet 5 for a 10 € help session. A voucher of booklet 3 (not handed out)
    # is refused, and nothing is spent.
    provider, provider_client, place, workshop, help_session = labelled_provider()
    refused = at_the_counter(provider_client, provider, place, workshop, booklet_urls(pages, 3)[:1], "encaisser")
    assert refused.status_code == 400 and "Ce chèque n'est pas encore activé" in text(refused)
    assert not Redemption.objects.exists()
    spent = booklet_urls(pages, 1)[:3] + booklet_urls(pages, 5)[:1]
    for scanned, service in ((spent[:3], workshop), (spent[3:], help_session)):
        response = at_the_counter(provider_client, provider, place, service, scanned, "encaisser")
        assert response.status_code == 302, text(response)
        assert "Encaissement enregistré" in text(provider_client.get(response.url))
    redeemed = Voucher.objects.filter(order=order, status="redeemed")
    assert sorted(redeemed.values_list("sequence", flat=True)) == [1, 2, 3, 21]
    assert "Déjà utilisé" in text(Client().get(first_url))
    assert follow_up(funder_client, funder, order) == (
        "En cours d'utilisation",
        {"printed": 2000, "shipped": 30, "distributed": 15, "redeemed": 4, "expired": 0},
    )
    books_hold()

    # 9. Expiry, by the daily command after the grace date: a credit note for exactly the face value
    # of the 1,996 vouchers not redeemed, which the funder downloads from its space.
    later = order.grace_until + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    call_command("expire_vouchers")
    note = CreditNote.objects.get(order=order, kind="expiry")
    assert (note.voucher_count, note.total_cents) == (1996, 1_996_000)
    page = funder_client.get(reverse("billing:funder_documents", kwargs=slug)).content.decode()
    assert note.number in page and "19\u202f960 €" in page
    note_pdf = funder_client.get(reverse("billing:funder_credit_note_pdf", kwargs={**slug, "pk": note.pk})).content
    assert "Chèques expirés" in pdf_text(note_pdf)
    assert xpath(facturx(note_pdf), TOTALS + "ram:GrandTotalAmount") == "19960.00"
    assert follow_up(funder_client, funder, order) == (
        "Expirée",
        {"printed": 2000, "shipped": 30, "distributed": 15, "redeemed": 4, "expired": 1996},
    )
    books_hold()

    # The next order of the same funder: the credit note comes off its invoice.
    mail.outbox.clear()
    request_quote(Client(), offers, quantity="2000")
    second, link = staff_quotes_and_sends(staff_client, capture, offers)
    funder_accepts(link)
    with capture(execute=True):
        staff_client.post(reverse("billing:staff_quote", kwargs={"pk": second.pk}), {"action": "validate"})
    second.refresh_from_db()
    assert second.funder == funder
    staff_client.post(reverse("billing:staff_invoice_issue", kwargs={"order_pk": second.order_id}))
    next_invoice = Invoice.objects.get(order_id=second.order_id)
    assert (next_invoice.credits_cents, next_invoice.due_cents) == (1_996_000, 142_000)
    root = facturx(next_invoice.pdf)
    assert xpath(root, TOTALS + "ram:TotalPrepaidAmount") == "19960.00"
    page = funder_client.get(reverse("billing:funder_documents", kwargs=slug)).content.decode()
    assert next_invoice.number in page
    books_hold()
