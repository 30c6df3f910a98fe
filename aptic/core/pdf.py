"""What every PDF the platform writes with reportlab shares: an embedded font with French
characters and no-break spaces (PDF/A wants embedded fonts), the sRGB output intent PDF/A also
wants, and amounts written in full."""

import io
from pathlib import Path

import reportlab
from PIL import ImageCms
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject
from pypdf.generic import TextStringObject as Text
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from aptic.core import formats

FONT, FONT_BOLD = "AptVera", "AptVeraBold"
_FONTS = Path(reportlab.__file__).parent / "fonts"


def register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONTS / "VeraBd.ttf")))


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
