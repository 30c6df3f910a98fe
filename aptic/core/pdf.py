"""What every PDF the platform writes with reportlab shares: an embedded font with French
characters and no-break spaces (PDF/A wants embedded fonts), and amounts written in full."""

from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT, FONT_BOLD = "AptVera", "AptVeraBold"
_FONTS = Path(reportlab.__file__).parent / "fonts"


def register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONTS / "VeraBd.ttf")))


def euros(cents: int) -> str:
    """1234567 → '12 345,67 €', cents always shown (documents), no-break spaces the font has."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{rest:02d}\u00a0€"
