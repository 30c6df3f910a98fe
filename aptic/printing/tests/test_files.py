"""The files a printer receives: they open, hold whole booklets, carry QR codes that decode to each
voucher's URL, split at the file limit, and come out byte for byte the same when produced again."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image
from pypdf import PdfReader

from aptic.core.errors import DomainError
from aptic.printing.models import PrintCover, PrintFile
from aptic.printing.services import order_print_release, print_cover_upload, print_files_generate
from aptic.vouchers import codes
from aptic.vouchers.links import voucher_url
from aptic.vouchers.models import Voucher

from .helpers import decoded


def _bytes(record: PrintFile) -> bytes:
    with record.file.open("rb") as handle:
        return handle.read()


def _released(make_order, staff, **kwargs):
    order = make_order(**kwargs)
    return _release(order, staff)


def _release(order, staff):
    order_print_release(order=order, user=staff, reason="early", justification="Organisme public")
    return order


@pytest.mark.django_db
def test_pdf_opens_and_every_qr_code_decodes_to_its_voucher_url(make_order, staff):
    order = _released(make_order, staff, quantity=20, booklet_size=10)
    (record,) = print_files_generate(order=order)
    data = _bytes(record)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == record.pages == 2 * (1 + 2)  # two booklets: a cover and two pages each
    text = reader.pages[1].extract_text()
    voucher = Voucher.objects.get(order=order, sequence=1)
    assert order.funder.name in text and "10 €" in text and "31/12/2026" in text
    # The one validity wording (ADR 0023), on the voucher and on its booklet's cover.
    assert "Valable jusqu'au 31/12/2026,\naccepté jusqu'au 31/01/2027" in text
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "10 chèques de 10 €, valables jusqu'au 31/12/2026, acceptés jusqu'au 31/01/2027" in cover
    assert order.serial(1) in text and codes.display(voucher.code) in text
    pages = decoded(data)
    assert pages[0] == [] and pages[3] == []  # covers carry no QR code
    all_codes = list(Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True))
    expected = [voucher_url(code) for code in all_codes]
    found = [url for page in pages for url in page]
    # Decoders list codes top to bottom on a page: pages in order give the vouchers in order.
    assert found == expected
    assert all(url.endswith(f"/c/{code}/") for url, code in zip(found, all_codes, strict=True))


@pytest.mark.django_db
def test_booklets_of_five_take_one_page_each(make_order, staff):
    order = _released(make_order, staff, quantity=15, booklet_size=5)
    (record,) = print_files_generate(order=order)
    reader = PdfReader(io.BytesIO(_bytes(record)))
    assert len(reader.pages) == 3 * 2
    assert "Carnet n° 3" in reader.pages[4].extract_text()


@pytest.mark.django_db
def test_files_split_at_the_limit_in_whole_booklets(make_order, staff):
    order = _released(make_order, staff, quantity=50, booklet_size=10)
    with override_settings(APTIC_PRINT_FILE_VOUCHERS=25):  # 25 → two booklets (20 vouchers) per file
        files = print_files_generate(order=order, force=True)
    assert [(f.part, f.first_sequence, f.last_sequence) for f in files] == [(1, 1, 20), (2, 21, 40), (3, 41, 50)]
    assert [len(PdfReader(io.BytesIO(_bytes(f))).pages) for f in files] == [6, 6, 3]
    last = [url for page in decoded(_bytes(files[2])) for url in page]
    codes_41_50 = Voucher.objects.filter(order=order, sequence__gt=40).order_by("sequence")
    codes_41_50 = codes_41_50.values_list("code", flat=True)
    assert last == [voucher_url(c) for c in codes_41_50]
    # Back to the default limit: one file, the extra parts are gone.
    assert len(print_files_generate(order=order, force=True)) == 1
    assert PrintFile.objects.filter(order=order).count() == 1


@pytest.mark.django_db
def test_regenerating_gives_the_same_bytes(make_order, staff):
    order = _released(make_order, staff, quantity=20)
    (first,) = print_files_generate(order=order)
    digest = hashlib.sha256(_bytes(first)).hexdigest()
    assert digest == first.sha256
    (again,) = print_files_generate(order=order, force=True)
    assert hashlib.sha256(_bytes(again)).hexdigest() == digest
    assert again.file.name == first.file.name  # replaced in place, no copy left behind


@pytest.mark.django_db
def test_a_resumed_job_keeps_what_is_done(make_order, staff):
    order = _released(make_order, staff, quantity=40)
    with override_settings(APTIC_PRINT_FILE_VOUCHERS=20):
        first = print_files_generate(order=order, force=True)
        seen = []
        again = print_files_generate(order=order, progress=seen.append)
    assert [f.generated_at for f in again] == [f.generated_at for f in first]
    assert seen[-1] == 40


def _png(size=(800, 1100)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_custom_cover_is_printed_on_every_booklet(sold_order, staff):
    order = _release(sold_order(custom_cover=True, quantity=20), staff)
    print_cover_upload(order=order, user=staff, upload=SimpleUploadedFile("c.png", _png(), "image/png"))
    (record,) = print_files_generate(order=order, force=True)
    reader = PdfReader(io.BytesIO(_bytes(record)))
    assert len(reader.pages[0].images) == 1 and len(reader.pages[3].images) == 1
    # The image is embedded once and shared by the covers.
    assert record.size_bytes < 200_000


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content, message",
    [
        ("cover.png", b"%PDF-1.4 not an image", "n'est pas une image"),
        ("cover.png", _png()[:200], "n'est pas une image"),
        ("cover.png", _png((300, 300)), "trop petite"),
        ("cover.gif", None, "non accepté"),
    ],
)
def test_cover_that_is_not_a_usable_image_is_refused(sold_order, staff, name, content, message):
    if content is None:
        buffer = io.BytesIO()
        Image.new("P", (800, 800)).save(buffer, format="GIF")
        content = buffer.getvalue()
    order = sold_order(custom_cover=True)
    with pytest.raises(DomainError, match=message):
        print_cover_upload(order=order, user=staff, upload=SimpleUploadedFile(name, content))
    assert not PrintCover.objects.exists()


@pytest.mark.django_db
def test_a_custom_cover_is_for_premium_orders_only(sold_order, make_order, staff):
    plus = sold_order(custom_cover=False)
    with pytest.raises(DomainError, match="réservée à l'offre Premium : la commande n° .* relève de l'offre Plus"):
        print_cover_upload(order=plus, user=staff, upload=SimpleUploadedFile("c.png", _png(), "image/png"))
    # An order created without a quote (the back office) has no known offer.
    with pytest.raises(DomainError, match="n'a pas été vendue par un devis"):
        print_cover_upload(order=make_order(), user=staff, upload=SimpleUploadedFile("c.png", _png(), "image/png"))
    assert not PrintCover.objects.exists()
