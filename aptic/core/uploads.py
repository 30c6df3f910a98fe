"""What an uploaded file really is, whatever its name says: the one place that opens PDFs and
images to check them (signed quotes, RIBs, print covers)."""

import io
from dataclasses import dataclass

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


@dataclass(frozen=True)
class FileKind:
    """What a stored file is, read from its first bytes: the type it is served with and the extension
    it is named with (whatever the uploader called it)."""

    content_type: str
    extension: str

    @property
    def shown_in_browser(self) -> bool:
        """Types a browser renders without running anything of the file's: PDF and raster images."""
        return self.content_type == "application/pdf" or self.content_type.startswith("image/")


# Signatures of the kinds the platform stores (RIBs, signed quotes, covers, print files, mailings, SEPA).
_SIGNATURES = [
    (PDF_MAGIC, FileKind("application/pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n", FileKind("image/png", "png")),
    (b"\xff\xd8\xff", FileKind("image/jpeg", "jpg")),
    (b"PK\x03\x04", FileKind("application/zip", "zip")),
    (b"<?xml", FileKind("application/xml", "xml")),
]
UNKNOWN = FileKind("application/octet-stream", "bin")
SNIFF_BYTES = 16


def sniff(head: bytes) -> FileKind:
    """The kind of a file from its first bytes (SNIFF_BYTES are enough), never from its name; a file
    of no known kind is an opaque download."""
    head = head.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark before an XML declaration
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    return UNKNOWN


def named_as(name: str, kind: FileKind) -> str:
    """`name` with the extension of what the file is: `rib.html` holding a PDF is `rib.pdf`."""
    stem = (name or "fichier").rsplit("/", 1)[-1]
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    return f"{stem or 'fichier'}.{kind.extension}"
