"""What a print shop's preflight checks, with tools that are not ours (ADR 0046): every font embedded
(poppler's pdffonts, and pypdf's font descriptors), CMYK or gray only (pypdf's content stream
parser), the PDF/X-1a identification poppler reads, TrimBox and BleedBox, the funder's name inside
its space however long (pdfium's character boxes), QR codes that decode to the configured site."""

import ctypes
import io
import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import segno
import zxingcpp
from django.core import checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from pypdf import PdfReader

from aptic.accounts.models import Organisation
from aptic.core.errors import DomainError
from aptic.printing import qrcodes
from aptic.printing.render import BAND_H, BAND_TOP, CELL_H, CELL_W, LEFT, PAGE_H, PAGE_W, TITLE, _slot_y
from aptic.printing.services import order_print_release, print_cover_upload, print_files_generate
from aptic.vouchers import codes
from aptic.vouchers.links import voucher_url
from aptic.vouchers.models import Voucher

from .helpers import BLEED_PT, colour_problems, decoded, fonts_not_embedded, pdffonts_rows, poppler_output
from .test_files import _bytes, _png

NAME_MAX = Organisation._meta.get_field("name").max_length  # what the forms accept (200)
LONG_WORDS = "Communauté d'agglomération du Grand Territoire de la Vallée de la Dordogne et des Coteaux "


def _name(length: int) -> str:
    return (LONG_WORDS * 5)[:length].strip().ljust(length, "x")


def _print(order, staff) -> bytes:
    order_print_release(order=order, user=staff, reason="early", justification="Organisme public")
    (record,) = print_files_generate(order=order)
    return _bytes(record)


@pytest.fixture
def printed_with_cover(sold_order, staff):
    order = sold_order(custom_cover=True, quantity=20)
    order_print_release(order=order, user=staff, reason="early", justification="Organisme public")
    print_cover_upload(order=order, user=staff, upload=SimpleUploadedFile("c.png", _png(), "image/png"))
    (record,) = print_files_generate(order=order, force=True)
    return _bytes(record)


@pytest.mark.django_db
def test_every_font_is_embedded_as_pdffonts_lists_them(make_order, staff, printed_with_cover):
    for data in (_print(make_order(quantity=10), staff), printed_with_cover):
        rows = pdffonts_rows(data)
        assert rows, "pdffonts lists no font"
        assert all(row[-5] == "yes" for row in rows), rows  # the "emb" column
        assert fonts_not_embedded(PdfReader(io.BytesIO(data))) == []
        info = [" ".join(line.split()) for line in poppler_output("pdfinfo", data).splitlines()]
        assert "PDF subtype: PDF/X-1a:2003" in info and "PDF version: 1.4" in info


@pytest.mark.django_db
def test_colours_are_cmyk_or_gray_only(make_order, staff, printed_with_cover):
    for data in (_print(make_order(quantity=10), staff), printed_with_cover):
        reader = PdfReader(io.BytesIO(data))
        assert colour_problems(reader) == []
        root = reader.trailer["/Root"]
        (intent,) = [i.get_object() for i in root["/OutputIntents"]]
        assert intent["/S"] == "/GTS_PDFX" and intent["/OutputConditionIdentifier"] == "FOGRA39"
        assert reader.trailer["/Info"]["/GTS_PDFXVersion"] == "PDF/X-1a:2003"
        assert reader.trailer["/Info"]["/Trapped"] == "/False"


def test_the_colour_check_sees_rgb():
    """The check above can fail: an RGB fill is found."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setFillColorRGB(0.2, 0.4, 0.6)
    canvas.rect(10, 10, 50, 50, fill=1)
    canvas.save()
    assert colour_problems(PdfReader(buffer)) == ["rg [0.2, 0.4, 0.6]"]
    assert fonts_not_embedded(PdfReader(buffer)) == ["/Helvetica"]


@pytest.mark.django_db
def test_trim_and_bleed_boxes(make_order, staff):
    reader = PdfReader(io.BytesIO(_print(make_order(quantity=10), staff)))
    for page in reader.pages:
        media, bleed, trim = (tuple(float(v) for v in box) for box in (page.mediabox, page.bleedbox, page.trimbox))
        assert "/TrimBox" in page and "/BleedBox" in page
        assert bleed == media
        assert trim[2] - trim[0] == pytest.approx(595.28, abs=0.01)  # A4, the finished size
        assert trim[3] - trim[1] == pytest.approx(841.89, abs=0.01)
        inset = (trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
        assert inset == pytest.approx((BLEED_PT,) * 4, abs=0.01)


def _boxes(textpage, index, count):
    return [textpage.get_charbox(i) for i in range(index, index + count)]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _sizes(textpage, boxes_and_indexes):
    return [pdfium_c.FPDFText_GetFontSize(textpage.raw, i) for i, _ in boxes_and_indexes]


def _line_count(textpage, chars) -> int:
    """How many baselines the characters stand on (pdfium's character origins)."""
    x, y = ctypes.c_double(), ctypes.c_double()
    baselines = set()
    for i, _ in chars:
        assert pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
        baselines.add(round(y.value, 1))
    return len(baselines)


@pytest.mark.django_db
@pytest.mark.parametrize("length", [64, 120, NAME_MAX])
def test_the_longest_funder_names_stay_in_their_space(make_order, staff, funder, length):
    """Any name the forms accept (200 characters): on the voucher, in the band right of the title, on
    two lines at most, 6.5 pt at least; on the cover, three lines of 14 pt at least; both inside the
    trim. A name too long for that is shortened at a word boundary with an ellipsis, alike on both
    (ADR 0058). Sizes and positions as pdfium reads them."""
    funder.name = _name(length)
    funder.save()
    data = _print(make_order(quantity=10), staff)
    document = pdfium.PdfDocument(data)
    cover, vouchers = document[0].get_textpage(), document[1].get_textpage()
    words = " ".join(funder.name.split())
    cover_text = " ".join(cover.get_text_range().split())
    voucher_text = " ".join(vouchers.get_text_range().split())
    if length == NAME_MAX:  # the start of the name, whole words, then an ellipsis; the same on the cover
        printed = re.search(r"Offert par (.+?…)", cover_text).group(1)
        assert words.startswith(printed[:-1]) and words[len(printed) - 1] == " " and len(printed) >= 100
        assert printed in voucher_text
    else:
        printed = words
        assert f"Offert par {words}" in cover_text and words in voucher_text  # whole, however many lines
    trim = (BLEED_PT, BLEED_PT, BLEED_PT + PAGE_W, BLEED_PT + PAGE_H)
    for textpage in (cover, vouchers):
        for box in _boxes(textpage, 0, textpage.count_chars()):
            if box != (0, 0, 0, 0):  # generated spaces and line breaks have no box
                assert trim[0] <= box[0] and box[2] <= trim[2] and trim[1] <= box[1] and box[3] <= trim[3]
    # On the voucher: the name in the band, right of the title, never over it, within the cell.
    searcher = vouchers.search(TITLE, match_case=True)
    index, count = searcher.get_next()
    title = _boxes(vouchers, index, count)
    band_bottom = BLEED_PT + _slot_y(0) + CELL_H - BAND_TOP - BAND_H
    band = (BLEED_PT + LEFT, band_bottom, BLEED_PT + LEFT + CELL_W, band_bottom + BAND_H)
    others = [
        (i, box)  # the characters with ink (a space's box is empty)
        for i, box in enumerate(_boxes(vouchers, 0, vouchers.count_chars()))
        if not index <= i < index + count and box[0] < box[2] and _overlap(box, band)
    ]
    inked = "".join(vouchers.get_text_range(i, 1) for i, _ in others)
    assert inked.replace(" ", "") == printed.replace(" ", "")  # the name and nothing else
    for _, box in others:
        assert band[0] <= box[0] and box[2] <= band[2] and band[1] <= box[1] and box[3] <= band[3]
        assert not any(_overlap(box, t) for t in title)
    assert _line_count(vouchers, others) <= 2
    assert min(_sizes(vouchers, others)) >= 6.5
    # On the cover: "Offert par" and the name, between the blue band and the booklet's line.
    searcher = cover.search("Offert par", match_case=True)
    start, _ = searcher.get_next()
    expected, name, i = f"Offertpar{printed}".replace(" ", ""), [], start
    while len(name) < len(expected):  # its characters with ink, in reading order
        if cover.get_text_range(i, 1).strip():
            name.append((i, cover.get_charbox(i)))
        i += 1
    assert "".join(cover.get_text_range(i, 1) for i, _ in name) == expected
    assert _line_count(cover, name) <= 3 and min(_sizes(cover, name)) >= 14
    assert max(box[3] for _, box in name) < BLEED_PT + PAGE_H * 0.55  # under the blue band


@pytest.mark.django_db
def test_qr_codes_carry_the_configured_public_site_url(make_order, staff):
    with override_settings(SITE_URL="https://cheques.gironde.example"):
        order = make_order(quantity=10)
        data = _print(order, staff)
        in_order = Voucher.objects.filter(order=order).order_by("sequence").values_list("code", flat=True)
        expected = [voucher_url(code) for code in in_order]
    found = [url for page in decoded(data) for url in page]
    assert found == expected
    assert all(url.startswith("https://cheques.gironde.example/c/") for url in found)


@pytest.mark.django_db
def test_qr_codes_are_sharp_and_read_at_1200_dpi(make_order, staff):
    order = make_order(quantity=10)
    data = _print(order, staff)
    page = pdfium.PdfDocument(data)[1]
    width, height = page.get_size()
    # The first voucher's QR code only (the page at 1,200 dpi is 140 megapixels).
    x = BLEED_PT + LEFT + CELL_W - 34 * 72 / 25.4
    y = BLEED_PT + _slot_y(0) + 4 * 72 / 25.4
    side = 30 * 72 / 25.4
    crop = (x, y, width - x - side, height - y - side)
    image = page.render(scale=1200 / 72, crop=crop, grayscale=True).to_pil().convert("L")
    (result,) = zxingcpp.read_barcodes(image)
    assert result.text == voucher_url(Voucher.objects.get(order=order, sequence=1).code)
    # Two tones, the ink's (CMYK black as pdfium shows it) and the paper's; in between, the pixels
    # the module edges cross only: no interpolated blur.
    histogram = image.histogram()
    ink, paper = min(v for v in range(256) if histogram[v]), max(v for v in range(256) if histogram[v])
    assert paper - ink > 180
    between = sum(histogram[ink + 16 : paper - 16])
    assert between / sum(histogram) < 0.01


@pytest.mark.parametrize("count", [50])
def test_qr_grids_are_segno_s_own(count):
    """The grids composed by XOR are, module for module, those segno makes for each URL."""
    for code in codes.generate(count):
        size, rows = qrcodes.qr_grid("https://aptic.example/c/", code, "/")
        qr = segno.make_qr(f"https://aptic.example/c/{code}/", error="m", boost_error=False, mask=qrcodes.MASK)
        row_bytes = (size + 7) // 8
        bits = [[(rows[r * row_bytes + c // 8] >> (7 - c % 8)) & 1 for c in range(size)] for r in range(size)]
        assert bits == [list(row) for row in qr.matrix]


@pytest.mark.parametrize(
    "url, refused",
    [
        ("https://cheques.gironde.fr", False),
        ("http://127.0.0.1:8000", True),
        ("https://localhost:8000", True),
        ("https://192.168.1.20", True),
        ("https://aptic", True),
        ("http://aptic.fr", True),
    ],
)
def test_production_refuses_a_site_url_that_is_not_public(url, refused):
    with override_settings(EMBEDDED=False, SITE_URL=url):
        errors = [e for e in checks.run_checks() if e.id == "printing.E001"]
    assert bool(errors) is refused
    if refused:
        assert "Impression impossible" in errors[0].msg and "APTIC_SITE_URL" in errors[0].msg
    with override_settings(EMBEDDED=True, SITE_URL=url):  # embedded: its own address, for the demo
        assert [e for e in checks.run_checks() if e.id == "printing.E001"] == []


@pytest.mark.django_db
def test_production_does_not_print_without_a_public_site_url(make_order, staff):
    order = make_order(quantity=10)
    order_print_release(order=order, user=staff, reason="early", justification="Organisme public", produce=False)
    refused = pytest.raises(DomainError, match="Impression impossible : l'adresse du site")
    with override_settings(EMBEDDED=False, SITE_URL="http://127.0.0.1:8000"), refused:
        print_files_generate(order=order)
    with override_settings(EMBEDDED=False, SITE_URL="https://cheques.gironde.fr"):
        (record,) = print_files_generate(order=order)
    assert all(url.startswith("https://cheques.gironde.fr/c/") for page in decoded(_bytes(record)) for url in page)


@pytest.mark.parametrize("mode, colour", [("RGBA", (200, 30, 60, 0)), ("RGB", (0, 0, 0)), ("CMYK", (10, 20, 30, 40))])
def test_a_cover_image_becomes_cmyk_transparent_parts_white(mode, colour):
    from PIL import Image

    from aptic.printing.render import cmyk_image

    buffer = io.BytesIO()
    Image.new(mode, (8, 8), colour).save(buffer, format="JPEG" if mode == "CMYK" else "PNG")
    converted = cmyk_image(buffer.getvalue())
    assert converted.mode == "CMYK" and converted.size == (8, 8)
    expected = {"RGBA": (0, 0, 0, 0), "RGB": (0, 0, 0, 255), "CMYK": colour}[mode]  # white paper; black is K only
    assert converted.getpixel((0, 0)) == pytest.approx(expected, abs=3)
