"""Documents say numbers and plurals the French way, with spaces their embedded font can draw (ADR 0023)."""

import io

import pytest
from pypdf import PdfReader

from .helpers import pdf_text


@pytest.mark.django_db
def test_quote_pdf_counts_in_french_with_characters_its_font_has(sent_quote):
    quote = sent_quote(max_vouchers_per_act=1)
    text = pdf_text(quote.pdf)
    assert "Offre Plus : 2 000 chèques de 10,00 € en carnets de 5," in text
    assert "Au plus 1 chèque par service rendu." in text and "(s)" not in text
    # A character the embedded font (Vera) lacks, such as U+202F, is drawn as glyph 0 and read back as
    # NUL: the documents use U+00A0, which Vera has.
    raw = "".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(quote.pdf))).pages)
    assert "\x00" not in raw and "\u202f" not in raw
