"""An uploaded RIB is served as what its bytes are, never as what its name says (issue #12, item 9)."""

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from reportlab.pdfgen import canvas

from aptic.core.files import file_response, private_storage

from ..models import BankDetails
from .conftest import rib_upload

pytestmark = pytest.mark.django_db
GOOD = {"holder": "Fablab Alpha", "iban": "FR76 3000 4000 0312 3456 7890 143", "bic": "BNPAFRPP"}
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(100, 750, "RIB FR76 3000 4000 0312 3456 7890 143")
    page.save()
    return buffer.getvalue()


def test_a_pdf_with_html_appended_uploaded_as_rib_html_is_served_as_a_pdf(pay, client):
    provider = pay.provider("Fablab Alpha", bank=False)
    client.force_login(provider.admin)
    page = reverse("payouts:provider_bank", kwargs={"org_slug": provider.slug})
    response = client.post(page, {**GOOD, "rib": rib_upload("rib.html", _pdf() + SCRIPT, "text/html")})
    assert response.status_code == 302
    details = BankDetails.objects.get()
    assert details.rib_name == "rib.pdf" and details.rib.name.endswith(".pdf")
    assert "rib.pdf" in client.get(page).content.decode()  # the link on the page shows the real kind
    for url, user in [
        (reverse("payouts:provider_rib", kwargs={"org_slug": provider.slug, "pk": details.pk}), provider.admin),
        (reverse("payouts:staff_rib", kwargs={"pk": details.pk}), pay.staff),
    ]:
        client.force_login(user)
        download = client.get(url)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Disposition"].startswith("attachment")
        assert 'filename="rib.pdf"' in download["Content-Disposition"]
        assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_stored_file_of_no_known_kind_is_an_opaque_download_even_when_asked_inline(pay):
    name = private_storage.save("tests/page.png", ContentFile(SCRIPT))
    field = BankDetails(rib=name).rib
    response = file_response(field, "couverture.png", inline=True)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="couverture.bin"' in response["Content-Disposition"]
    response.close()


def test_an_image_asked_inline_is_shown_with_its_real_type(pay):
    from .conftest import png_bytes

    name = private_storage.save("tests/cover.jpg", ContentFile(png_bytes()))
    response = file_response(BankDetails(rib=name).rib, "couverture.jpg", inline=True)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline") and "couverture.png" in response["Content-Disposition"]
    response.close()
