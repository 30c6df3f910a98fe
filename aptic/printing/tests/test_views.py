import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from aptic.printing.models import PrintCover, PrintFile, PrintRelease


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_release_early_then_download_the_file(staff_client, make_order):
    order = make_order(quantity=20)
    page = staff_client.get(reverse("printing:staff_orders"))
    assert page.status_code == 200 and "Non libérée" in page.content.decode()
    url = reverse("printing:staff_order", kwargs={"pk": order.pk})
    refused = staff_client.post(url, {"action": "release", "release-justification": ""})
    assert refused.status_code == 400 and not PrintRelease.objects.exists()
    done = staff_client.post(url, {"action": "release", "release-justification": "CCAS : paiement après service"})
    assert done.status_code == 302
    page = staff_client.get(url).content.decode()
    assert "Libérée avant paiement" in page and "Terminé" in page and "CCAS : paiement après service" in page
    response = staff_client.get(reverse("printing:staff_file", kwargs={"pk": order.pk, "part": 1}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages) == 6
    # Regenerating from the page gives the same file.
    sha = PrintFile.objects.get(order=order).sha256
    assert staff_client.post(url, {"action": "regenerate"}).status_code == 302
    assert PrintFile.objects.get(order=order).sha256 == sha


@pytest.mark.django_db
def test_cover_upload_that_is_not_an_image_gets_a_french_message(staff_client, sold_order):
    order = sold_order(custom_cover=True)
    url = reverse("printing:staff_order", kwargs={"pk": order.pk})
    fake = SimpleUploadedFile("couverture.jpg", b"MZ\x90\x00 this is an executable", content_type="image/jpeg")
    response = staff_client.post(url, {"action": "cover", "cover-image": fake})
    assert response.status_code == 400
    assert "n&#x27;est pas une image lisible" in response.content.decode()
    assert not PrintCover.objects.exists()


@pytest.mark.django_db
def test_cover_of_an_order_that_is_not_premium_is_refused_in_french(staff_client, sold_order):
    order = sold_order(custom_cover=False)
    url = reverse("printing:staff_order", kwargs={"pk": order.pk})
    page = staff_client.get(url).content.decode()
    assert "réservée à l&#x27;offre Premium" in page and 'value="cover"' not in page
    image = io.BytesIO()
    Image.new("RGB", (800, 1100)).save(image, format="PNG")
    upload = SimpleUploadedFile("couverture.png", image.getvalue(), content_type="image/png")
    response = staff_client.post(url, {"action": "cover", "cover-image": upload})
    assert response.status_code == 400
    assert f"la commande n° {order.pk} relève de l&#x27;offre Plus" in response.content.decode()
    assert not PrintCover.objects.exists()


@pytest.mark.django_db
def test_printing_pages_are_for_staff_only(client, funder_admin, make_order):
    order = make_order()
    client.force_login(funder_admin)
    for url in (
        reverse("printing:staff_orders"),
        reverse("printing:staff_order", kwargs={"pk": order.pk}),
        reverse("printing:staff_file", kwargs={"pk": order.pk, "part": 1}),
    ):
        assert client.get(url).status_code == 403
    url = reverse("printing:staff_order", kwargs={"pk": order.pk})
    assert client.post(url, {"action": "regenerate"}).status_code == 403
    assert not PrintRelease.objects.exists()
