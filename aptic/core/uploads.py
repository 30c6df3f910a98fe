"""What an uploaded file really is, whatever its name says: the one place that opens PDFs and
images to check them (signed quotes, RIBs, print covers)."""

import io

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

PDF_MAGIC = b"%PDF-"


def is_readable_pdf(data: bytes) -> bool:
    """A PDF that opens and has at least one page (an empty-password encryption is lifted)."""
    if not data.startswith(PDF_MAGIC):
        return False
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        return len(reader.pages) > 0
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return False


def image_info(data: bytes) -> tuple[str, int, int] | None:
    """(format, width, height) of an image that decodes whole, else None: verify() catches a
    disguised file, load() a truncated one."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.format, image.size[0], image.size[1]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
