"""Bank details through the provider's and staff's pages: checks, history, e-mails, permissions."""

import pytest
from django.core import mail
from django.urls import reverse

from aptic.core.tests.factories import MembershipFactory

from ..models import BankDetails, BankDetailsStatus
from .conftest import png_bytes, rib_upload

pytestmark = pytest.mark.django_db
GOOD = {"holder": "Fablab Alpha", "iban": "FR76 3000 4000 0312 3456 7890 143", "bic": "BNPAFRPP"}


def _submit(client, organisation, data, rib=None):
    client.force_login(organisation.admin)
    url = reverse("payouts:provider_bank", kwargs={"org_slug": organisation.slug})
    return client.post(url, {**data, "rib": rib if rib is not None else rib_upload()})


def test_an_admin_enters_bank_details_through_the_page(pay, client):
    provider = pay.provider("Fablab Alpha", bank=False)
    response = _submit(client, provider, GOOD)
    assert response.status_code == 302
    details = BankDetails.objects.get()
    assert (details.iban, details.bic, details.status, details.is_current) == (
        "FR7630004000031234567890143",
        "BNPAFRPP",
        BankDetailsStatus.PENDING,
        True,
    )
    assert details.rib.read() == png_bytes()


def test_admins_are_emailed_on_change_and_on_review(pay, django_capture_on_commit_callbacks):
    from ..bank import bank_details_review, bank_details_submit

    provider = pay.provider("Fablab Alpha", bank=False)
    second = MembershipFactory(organisation=provider, role="admin").user
    member = MembershipFactory(organisation=provider, role="member").user
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        details = bank_details_submit(provider=provider, user=provider.admin, rib=rib_upload(), **GOOD)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([provider.admin.email, second.email]) and member.email not in message.to
    assert "suspendus" in message.body and "FR76 •••• 0143" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        bank_details_review(details=details, staff=pay.staff, verify=False, reason="RIB illisible")
    assert "RIB illisible" in mail.outbox[1].body


def test_a_change_keeps_the_history_and_suspends_payouts(pay, client):
    provider = pay.provider("Fablab Alpha")  # verified
    first = BankDetails.objects.get()
    assert first.status == BankDetailsStatus.VERIFIED
    response = _submit(client, provider, {**GOOD, "iban": "FR1420041010050500013M02606", "bic": "PSSTFRPP"})
    assert response.status_code == 302
    first.refresh_from_db()
    current = BankDetails.objects.get(is_current=True)
    assert not first.is_current and first.status == BankDetailsStatus.VERIFIED  # kept as it was
    assert current.status == BankDetailsStatus.PENDING
    page = client.get(reverse("payouts:provider_statements", kwargs={"org_slug": provider.slug})).content.decode()
    assert "retenus" in page


@pytest.mark.parametrize(
    ("data", "rib", "message"),
    [
        ({**GOOD, "iban": "FR76 3000 4000 0312 3456 7890 144"}, None, "Cet IBAN n&#x27;est pas valide"),
        ({**GOOD, "iban": "n'importe quoi"}, None, "Cet IBAN n&#x27;est pas valide"),
        ({**GOOD, "iban": "SA03 8000 0000 6080 1016 7519", "bic": "RJHISARI"}, None, "hors de la zone SEPA"),
        ({**GOOD, "iban": "US64SVBKUS6S3300958879"}, None, "IBAN"),
        ({**GOOD, "bic": "BNPA"}, None, "Ce BIC n&#x27;est pas valide"),
        ({**GOOD, "bic": "AGRIFRPP"}, None, "ne correspond pas à la banque de l&#x27;IBAN"),
        ({**GOOD, "holder": "   "}, None, "Indiquez le titulaire"),
        (GOOD, "text", "n&#x27;est pas lisible comme un PDF"),
        (GOOD, "fake-pdf", "n&#x27;est pas lisible comme un PDF"),
        (GOOD, "truncated-png", "n&#x27;est pas lisible comme un PDF"),
        (GOOD, "big", "trop lourd"),
    ],
)
def test_bad_input_gives_a_french_message_and_changes_nothing(pay, client, data, rib, message):
    provider = pay.provider("Fablab Alpha", bank=False)
    uploads = {
        "text": rib_upload("rib.pdf", b"Mon RIB : FR76...", "application/pdf"),
        "fake-pdf": rib_upload("rib.pdf", b"%PDF-1.4 pas vraiment un PDF", "application/pdf"),
        "truncated-png": rib_upload("rib.png", png_bytes()[:40]),
        "big": rib_upload("rib.png", png_bytes() + b"\0" * (5 * 1024 * 1024)),
    }
    mail.outbox.clear()
    response = _submit(client, provider, data, uploads.get(rib))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BankDetails.objects.exists() and mail.outbox == []


def test_a_pdf_rib_is_accepted(pay, client):
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(100, 750, "RIB FR76 3000 4000 0312 3456 7890 143")
    page.save()
    provider = pay.provider("Fablab Alpha", bank=False)
    response = _submit(
        client, provider, {**GOOD, "bic": ""}, rib_upload("rib.pdf", buffer.getvalue(), "application/pdf")
    )
    assert response.status_code == 302
    assert BankDetails.objects.get().bic == "BNPAFRPP"  # deduced from the IBAN's bank


def test_staff_verify_or_reject_with_a_reason(pay, client):
    provider = pay.provider("Fablab Alpha", verified=False)
    details = BankDetails.objects.get()
    client.force_login(pay.staff)
    listing = client.get(reverse("payouts:staff_bank_details")).content.decode()
    assert "Fablab Alpha" in listing
    url = reverse("payouts:staff_bank_detail", kwargs={"pk": details.pk})
    assert client.get(reverse("payouts:staff_rib", kwargs={"pk": details.pk})).status_code == 200
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 400 and "Indiquez le motif du refus" in response.content.decode()
    details.refresh_from_db()
    assert details.status == BankDetailsStatus.PENDING
    response = client.post(url, {"decision": "verify"})
    assert response.status_code == 302
    details.refresh_from_db()
    assert details.status == BankDetailsStatus.VERIFIED and details.reviewed_by == pay.staff
    response = client.post(url, {"decision": "reject", "reason": "Trop tard"})
    assert response.status_code == 400 and "déjà été examinées" in response.content.decode()
    assert provider.bank_details.get().status == BankDetailsStatus.VERIFIED


def test_one_provider_never_sees_another_s_bank_details(pay, client):
    alpha = pay.provider("Fablab Alpha")
    beta = pay.provider("Médiathèque Beta", iban_index=1)
    beta_details = BankDetails.objects.get(provider=beta)
    client.force_login(alpha.admin)
    assert client.get(reverse("payouts:provider_bank", kwargs={"org_slug": beta.slug})).status_code == 403
    own_url = reverse("payouts:provider_rib", kwargs={"org_slug": alpha.slug, "pk": beta_details.pk})
    assert client.get(own_url).status_code == 404
    page = client.get(reverse("payouts:provider_bank", kwargs={"org_slug": alpha.slug})).content.decode()
    assert "FR76 3000 4000 0312 3456 7890 143" in page and "FR76 3000 6000" not in page


def test_members_who_are_not_admins_cannot_change_bank_details(pay, client):
    provider = pay.provider("Fablab Alpha", bank=False)
    member = MembershipFactory(organisation=provider, role="member").user
    client.force_login(member)
    url = reverse("payouts:provider_bank", kwargs={"org_slug": provider.slug})
    assert client.post(url, {**GOOD, "rib": rib_upload()}).status_code == 403
    assert not BankDetails.objects.exists()
    # They still see what is owed and paid.
    assert client.get(reverse("payouts:provider_statements", kwargs={"org_slug": provider.slug})).status_code == 200
