"""Reading print files as a printer's proof would: the QR codes a real decoder finds on each page."""

import pypdfium2 as pdfium
import zxingcpp


def decoded(pdf_bytes: bytes) -> list[list[str]]:
    """The QR codes a real decoder reads on each rendered page (top to bottom within a page)."""
    document = pdfium.PdfDocument(pdf_bytes)
    return [[r.text for r in zxingcpp.read_barcodes(page.render(scale=2).to_pil())] for page in document]
