"""The cover letter of a mailing: a French business letter on A4, folded in three into a DL window
envelope (ADR 0047). What every letter of a mailing shares (sender, date, text, signature, the
data-protection notice) is one form XObject; each page adds the address and the booklet's number.

The window: a DL envelope (110 × 220 mm, NF EN ISO 269) has its 45 × 100 mm address window on the
right, 20 mm from the right edge and 15 mm from the bottom, so 50 mm from the top. The A4 sheet
(210 mm wide) folded in three (99 mm panels) moves inside it: up to 10 mm across and 11 mm down.
The address is drawn where the window shows it whatever that play: 100 to 190 mm from the sheet's
left edge, 50 to 84 mm from its top."""

import dataclasses
import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from aptic.core import formats
from aptic.core.pdf import FONT, FONT_BOLD

PAGE_W, PAGE_H = A4
ENVELOPE_W, ENVELOPE_H = 220 * mm, 110 * mm
WINDOW_LEFT, WINDOW_TOP, WINDOW_W, WINDOW_H = 100 * mm, 50 * mm, 100 * mm, 45 * mm  # on the envelope
PANEL = PAGE_H / 3  # the top third faces the window
# What the window shows of the sheet in every position the play allows.
SAFE_LEFT, SAFE_RIGHT = WINDOW_LEFT, WINDOW_LEFT + WINDOW_W - (ENVELOPE_W - PAGE_W)
SAFE_TOP, SAFE_BOTTOM = WINDOW_TOP, WINDOW_TOP + WINDOW_H - (ENVELOPE_H - PANEL)
ADDRESS_LEFT, ADDRESS_TOP = SAFE_LEFT + 2 * mm, SAFE_TOP + 2 * mm
ADDRESS_WIDTH = SAFE_RIGHT - 2 * mm - ADDRESS_LEFT

MARGIN = 20 * mm
TEXT_W = PAGE_W - 2 * MARGIN
HEADER_W = SAFE_LEFT - 10 * mm - MARGIN  # left of every position of the window
SIGNATURE_W = PAGE_W / 2 - MARGIN
HEADER_TOP, HEADER_END = 15 * mm, 97 * mm  # the sender block, above the first fold (99 mm)
# Type sizes (text, its leading, notice, its leading), the first whose text and notice fit: the
# longest names and addresses an account accepts take a size or two less.
SIZES = ((10, 13.5, 8, 10), (9.5, 12.5, 7.5, 9), (9, 11.5, 7, 8.5), (8.5, 10.5, 6.5, 8))
PARAGRAPH_GAP = 6
TAGLINE = "avec #APTIC, le chèque culture numérique"
CNIL = "CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr"


@dataclasses.dataclass(frozen=True)
class Letter:
    """What the letters of one mailing share."""

    title: str
    funder: str  # as the platform names it: "Département de la Gironde"
    funder_contact: tuple[str, ...]  # what the funder filled in: address, e-mail, phone
    place: str  # the funder's commune, for "Bordeaux, le …"
    day: datetime.date
    order_id: int
    face_value: str
    size: int
    validity: str
    processor: str  # the platform's name (it prepares and posts the letters for the funder)
    processor_address: str
    keep_days: int
    site_url: str

    def with_title(self, title: str) -> "Letter":
        return dataclasses.replace(self, title=title)


def _signature(letter: Letter) -> str:
    return f"Pour {formats.the(letter.funder)},"


def _contact(letter: Letter) -> str:
    return " (coordonnées en tête de ce courrier)" if letter.funder_contact else ""


def body(letter: Letter) -> list[str]:
    """The paragraphs from the salutation to the closing formula."""
    funder = formats.the(letter.funder, capital=True)
    return [
        "Madame, Monsieur,",
        f"{funder} vous offre ce carnet de {formats.count(letter.size, 'chèque', space=formats.NBSP)} "
        f"#APTIC de {letter.face_value}. Ils paient, en tout ou partie, un accompagnement au numérique "
        "dans un lieu labellisé : atelier, aide individuelle, formation. Le code QR de chaque chèque mène "
        "à la liste des lieux où l'utiliser près de chez vous.",
        f"Les chèques sont {letter.validity}.",
        f"Une question sur ces chèques ? Contactez {formats.the(letter.funder)}{_contact(letter)}, "
        f"ou consultez {letter.site_url}.",
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    ]


def privacy(letter: Letter) -> str:
    """Articles 13 and 14 of the GDPR: who holds the address, why, until when, the rights, where to
    exercise them, the supervisory authority."""
    return (
        f"{formats.the(letter.funder, capital=True)}, responsable du traitement, a confié votre nom et "
        f"votre adresse postale à {letter.processor} ({letter.processor_address}), qui prépare et poste ce "
        "courrier pour son compte. Ces données ne servent qu'à vous adresser ce carnet de chèques, à rien "
        f"d'autre. {letter.processor} les efface {letter.keep_days} jours après le "
        "dépôt de ce courrier à "
        "La Poste ; seul reste, sans nom ni adresse, le public auquel le carnet est destiné (par exemple "
        "« senior »), pour les statistiques du dispositif. Vous pouvez demander à accéder à ces données, à "
        "les faire rectifier ou effacer, à en limiter l'usage ou vous opposer à leur traitement (articles "
        f"15 à 21 du RGPD) : contactez {formats.the(letter.funder)}{_contact(letter)} "
        f"ou {letter.processor} ({letter.processor_address}). "
        f"Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la {CNIL}."
    )


def draw_lines(canvas, lines, *, x: float, y: float, width: float, size: float, leading: float, font=FONT):
    """Each line from the baseline y down, condensed to `width` when wider (a long e-mail address or
    a 38-capital line is never cut nor let out of its box); returns the baseline after the last."""
    for line in lines:
        drawn = canvas.beginText(x, y)
        drawn.setFont(font, size)
        wide = stringWidth(line, font, size)
        # Set on every line: the scale is page state, it would carry over to the next line.
        drawn.setHorizScale(100 * min(1, width / wide) if wide else 100)
        drawn.textOut(line)
        canvas.drawText(drawn)
        y -= leading
    return y


def _paragraph(canvas, text: str, *, x: float, y: float, width: float, size: float, leading: float, font=FONT):
    """`text` wrapped to `width` from the baseline y; returns the baseline after it."""
    lines = simpleSplit(text, font, size, width)
    return draw_lines(canvas, lines, x=x, y=y, width=width, size=size, leading=leading, font=font)


def _header_scale(letter: Letter) -> float:
    """The first scale of the sender block (name 12 pt, contact 8.5 pt) that ends above HEADER_END."""
    for scale in (1, 0.9, 0.8, 0.7, 0.6):
        lines = len(simpleSplit(letter.funder, FONT_BOLD, 12 * scale, HEADER_W)) * 14 * scale
        for line in (*letter.funder_contact, TAGLINE):
            lines += len(simpleSplit(line, FONT, 8.5 * scale, HEADER_W)) * 10.5 * scale
        if HEADER_TOP + lines + 2 * mm <= HEADER_END:
            return scale
    raise ValueError("The sender block does not fit above the fold.")


def _sizes(letter: Letter) -> tuple[float, float, float, float]:
    """The first of SIZES at which the text, from 128 mm, ends above the notice at the foot."""
    for size, leading, small, small_leading in SIZES:
        lines = sum(len(simpleSplit(p, FONT, size, TEXT_W)) for p in body(letter))
        lines += len(simpleSplit(_signature(letter), FONT, size, SIGNATURE_W)) + 1
        text_end = 128 * mm + lines * leading + len(body(letter)) * PARAGRAPH_GAP + PARAGRAPH_GAP
        notice = len(simpleSplit(privacy(letter), FONT, small, TEXT_W)) * small_leading + 12
        if text_end + leading + notice <= PAGE_H - 12 * mm:
            return size, leading, small, small_leading
    raise ValueError("The letter's text does not fit on one page.")


def draw_letter_form(canvas, letter: Letter) -> None:
    """The form XObject "letter": everything but the address and the subject line."""
    size, leading, small, small_leading = _sizes(letter)
    canvas.beginForm("letter", lowerx=0, lowery=0, upperx=PAGE_W, uppery=PAGE_H)
    scale = _header_scale(letter)
    header = {"x": MARGIN, "width": HEADER_W, "size": 8.5 * scale, "leading": 10.5 * scale}
    y = PAGE_H - HEADER_TOP - 12 * scale
    name = header | {"font": FONT_BOLD, "size": 12 * scale, "leading": 14 * scale}
    y = _paragraph(canvas, letter.funder, y=y, **name)
    for line in letter.funder_contact:
        y = _paragraph(canvas, line, y=y, **header)
    _paragraph(canvas, TAGLINE, y=y - 2 * mm, **header)
    # Fold marks in the margin: three panels of 99 mm.
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.5)
    for fold in (PANEL, 2 * PANEL):
        canvas.line(4 * mm, PAGE_H - fold, 8 * mm, PAGE_H - fold)
    canvas.setFont(FONT, 10)
    dated = f"le {formats.date(letter.day)}"
    canvas.drawRightString(PAGE_W - MARGIN, PAGE_H - 105 * mm, f"{letter.place}, {dated}" if letter.place else dated)
    text = {"x": MARGIN, "width": TEXT_W, "size": size, "leading": leading}
    y = PAGE_H - 128 * mm
    for paragraph in body(letter):
        y = _paragraph(canvas, paragraph, y=y, **text) - PARAGRAPH_GAP
    text |= {"x": PAGE_W - MARGIN - SIGNATURE_W, "width": SIGNATURE_W}
    y = _paragraph(canvas, _signature(letter), y=y - PARAGRAPH_GAP, **text)
    _paragraph(canvas, "l'équipe #APTIC", y=y, **text)
    notice = simpleSplit(privacy(letter), FONT, small, TEXT_W)
    top = 12 * mm + len(notice) * small_leading + 12
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top + 4, PAGE_W - MARGIN, top + 4)
    title = "Vos données personnelles"
    y = _paragraph(canvas, title, x=MARGIN, y=top - 6, width=TEXT_W, font=FONT_BOLD, size=small + 0.5, leading=12)
    _paragraph(canvas, privacy(letter), x=MARGIN, y=y, width=TEXT_W, size=small, leading=small_leading)
    canvas.endForm()


def draw_letter_page(canvas, letter: Letter, *, booklet_number: int) -> None:
    """What differs from one letter to the next but the address: the subject line."""
    canvas.setFont(FONT_BOLD, 10.5)
    canvas.drawString(
        MARGIN,
        PAGE_H - 116 * mm,
        f"Objet : votre carnet de chèques #APTIC n° {booklet_number} (commande n° {letter.order_id})",
    )
