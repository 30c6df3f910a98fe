"""What every PDF the platform writes with reportlab shares: an embedded font with French
characters and no-break spaces (PDF/A wants embedded fonts), the sRGB output intent PDF/A also
wants, and amounts written in full."""

import io
import unicodedata
from pathlib import Path

import reportlab
from PIL import ImageCms
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject
from pypdf.generic import TextStringObject as Text
from reportlab.lib.colors import CMYKColor
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDate, PDFDictionary, PDFInfo, PDFName, PDFString
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from aptic.core import formats

FONT, FONT_BOLD = "AptVera", "AptVeraBold"
_FONTS = Path(reportlab.__file__).parent / "fonts"


def register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONTS / "VeraBd.ttf")))


def unprintable(text: str, font: str = FONT) -> list[str]:
    """The characters of `text` the embedded font cannot draw (they would print as empty boxes), and
    the invisible ones (controls, zero-width and direction marks), in order, each once."""
    register_fonts()
    glyphs = pdfmetrics.getFont(font).face.charToGlyph
    found = []
    for char in text:
        invisible = unicodedata.category(char).startswith("C")
        if (invisible or ord(char) not in glyphs) and char not in found:
            found.append(char)
    return found


def euros(cents: int) -> str:
    """1234567 → '12 345,67 €', cents always shown (documents), no-break spaces the font has."""
    return formats.euros(cents, space=formats.NBSP, unit_space=formats.NBSP, always_cents=True)


def number(value: int) -> str:
    """30000 → '30 000' with the no-break space Vera has (it has no U+202F; ADR 0023)."""
    return formats.number(value, space=formats.NBSP)


def count(value: int, singular: str, plural_form: str | None = None) -> str:
    """'1 500 chèques' for a PDF (see number)."""
    return formats.count(value, singular, plural_form, space=formats.NBSP)


def _srgb_profile() -> bytes:
    # littlecms (bundled with Pillow) writes the standard sRGB profile: nothing to vendor.
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def with_output_intent(pdf: bytes) -> bytes:
    """The PDF with an sRGB output intent, which PDF/A (here PDF/A-3, for Factur-X) requires of a
    document that paints in device colours, as reportlab does. Everything else is kept as it is."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    profile = DecodedStreamObject()
    profile.set_data(_srgb_profile())
    profile[NameObject("/N")] = NumberObject(3)
    intent = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): Text("sRGB IEC61966-2.1"),
            NameObject("/RegistryName"): Text("http://www.color.org"),
            NameObject("/Info"): Text("sRGB IEC61966-2.1"),
            NameObject("/DestOutputProfile"): writer._add_object(profile),
        }
    )
    writer.root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# Print files (ADR 0046). What a print shop's preflight asks of a file, for PDF/X-1a:2003: CMYK or
# gray only, every font embedded, on every page a TrimBox (the finished size) inside a BleedBox 3 mm
# larger on each side (the MediaBox) so that colour reaching the cut is printed past it, and an
# output intent naming a registered printing condition (X-1a needs no ICC profile for one).

BLEED = 3 * mm
PDFX_VERSION = "PDF/X-1a:2003"
PRINT_CONDITION = "FOGRA39"  # ISO 12647-2 offset on coated paper, the European default
PRINT_CONDITION_INFO = "Coated FOGRA39 (ISO 12647-2:2004)"
CMYK_BLACK = CMYKColor(0, 0, 0, 1)
CMYK_WHITE = CMYKColor(0, 0, 0, 0)
REGISTRATION = CMYKColor(1, 1, 1, 1)  # crop marks: on every plate, so that every separation is cut alike


class _PdfxInfo(PDFInfo):
    """reportlab's document information plus the key PDF/X requires there (reportlab has no hook)."""

    def format(self, document):
        date = PDFDate(ts=document._timeStamp, dateFormatter=self._dateFormatter)
        entries = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Subject": PDFString(self.subject),
            "Creator": PDFString(self.creator),
            "Producer": PDFString(self.producer),
            "CreationDate": date,
            "ModDate": date,
            "Trapped": PDFName("False"),
            "GTS_PDFXVersion": PDFString(PDFX_VERSION),
        }
        return PDFDictionary(entries).format(document)


def print_canvas(out, width: float, height: float, **kwargs) -> Canvas:
    """A reportlab canvas for a print file of finished size width × height (points): PDF 1.4 (the
    most PDF/X-1a:2003 allows), MediaBox = BleedBox grown by BLEED each side, TrimBox the finished
    size, the PDF/X output intent and version. Fonts: register_fonts() and FONT/FONT_BOLD (embedded).
    Start every page with print_page_start(), which puts the origin at the trim's corner."""
    register_fonts()
    bled = (width + 2 * BLEED, height + 2 * BLEED)
    # The initial font is written in every page's preamble: ours, else reportlab's unembedded Helvetica.
    canvas = Canvas(out, pagesize=bled, pdfVersion=(1, 4), initialFontName=FONT, **kwargs)
    canvas.setBleedBox((0, 0, *bled))
    canvas.setTrimBox((BLEED, BLEED, BLEED + width, BLEED + height))
    document = canvas._doc
    info = _PdfxInfo()
    info.__dict__.update(document.info.__dict__)
    document.info = info
    intent = PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFX"),
            "OutputConditionIdentifier": PDFString(PRINT_CONDITION),
            "RegistryName": PDFString("http://www.color.org"),
            "Info": PDFString(PRINT_CONDITION_INFO),
        }
    )
    catalog = document.Catalog
    # PDFCatalog writes the keys of its __Defaults__ it finds as attributes: one more for this file.
    catalog.__Defaults__ = {**type(catalog).__Defaults__, "OutputIntents": None}
    catalog.OutputIntents = PDFArray([document.Reference(intent)])
    return canvas


def print_page_start(canvas: Canvas) -> None:
    """Draw the page in trim coordinates: (0, 0) is the finished page's corner, the bleed below it."""
    canvas.translate(BLEED, BLEED)


# Words a shortened name does not end on before its ellipsis ("… de la" → "…").
_DANGLING = {"à", "au", "aux", "d'", "de", "des", "du", "en", "et", "l'", "la", "le", "les", "par", "pour", "sur"}
ELLIPSIS = "\u2026"


def fit_lines(
    text: str, font: str, width: float, *, size: float, min_size: float, max_lines: int = 2
) -> tuple[float, list[str]]:
    """The size and lines at which `text` fits `width`: one line shrunk down to min_size, else wrapped
    on up to max_lines lines, each count tried from `size` down (half-point steps). Never below
    min_size: a text that does not fit even so is shortened at a word boundary, with an ellipsis
    (ADR 0058), on max_lines lines at min_size."""
    register_fonts()
    text = " ".join(text.split())

    def fits(candidate: str, at: float, lines_allowed: int) -> list[str] | None:
        lines = simpleSplit(candidate, font, at, width)
        if len(lines) <= lines_allowed and all(stringWidth(line, font, at) <= width for line in lines):
            return lines
        return None

    for lines_allowed in range(1, max_lines + 1):
        at = size
        while at >= min_size:
            if (lines := fits(text, at, lines_allowed)) is not None:
                return at, lines
            at -= 0.5
    return min_size, _shortened(text, lambda candidate: fits(candidate, min_size, max_lines))


def _shortened(text: str, fits) -> list[str]:
    """The lines of the longest start of `text` that fits with an ellipsis: whole words, not ending on
    a small word or a punctuation mark; a first word too long alone is cut between letters."""
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        kept = words[:count]
        while len(kept) > 1 and kept[-1].lower() in _DANGLING:
            kept.pop()
        candidate = " ".join(kept).rstrip(",;:-\u2013\u2014 ") + ELLIPSIS
        if (lines := fits(candidate)) is not None:
            return lines
    for cut in range(len(words[0]) - 1, 0, -1):
        if (lines := fits(words[0][:cut] + ELLIPSIS)) is not None:
            return lines
    return [ELLIPSIS]
