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
SIZE, LEADING = 10, 13.5
SMALL, SMALL_LEADING = 8, 10
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


def body(letter: Letter) -> list[str]:
    """The paragraphs from the salutation to the closing formula."""
    funder = formats.the(letter.funder, capital=True)
    contact = f" ({', '.join(letter.funder_contact)})" if letter.funder_contact else ""
    return [
        "Madame, Monsieur,",
        f"{funder} vous offre ce carnet de {formats.count(letter.size, 'chèque', space=formats.NBSP)} "
        f"#APTIC de {letter.face_value}. Ils paient, en tout ou partie, un accompagnement au numérique "
        "dans un lieu labellisé : atelier, aide individuelle, formation. Le code QR de chaque chèque mène "
        "à la liste des lieux où l'utiliser près de chez vous.",
        f"Les chèques sont {letter.validity}.",
        f"Une question sur ces chèques ? Contactez {formats.the(letter.funder)}{contact}, "
        f"ou consultez {letter.site_url}.",
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    ]


def privacy(letter: Letter) -> str:
    """Articles 13 and 14 of the GDPR: who holds the address, why, until when, the rights, where to
    exercise them, the supervisory authority."""
    contact = f" ({', '.join(letter.funder_contact)})" if letter.funder_contact else ""
    return (
        f"{formats.the(letter.funder, capital=True)}, responsable du traitement, a confié votre nom et "
        f"votre adresse postale à {letter.processor} ({letter.processor_address}), qui prépare et poste ce "
        "courrier pour son compte. Ces données ne servent qu'à vous adresser ce carnet de chèques et ne sont "
        f"communiquées à personne d'autre. {letter.processor} les efface {letter.keep_days} jours après le "
        "dépôt de ce courrier à "
        "La Poste ; seul reste, sans nom ni adresse, le public auquel le carnet est destiné (par exemple "
        "« senior »), pour les statistiques du dispositif. Vous pouvez demander à accéder à ces données, à "
        "les faire rectifier ou effacer, à en limiter l'usage ou vous opposer à leur traitement (articles "
        f"15 à 21 du RGPD) : contactez {formats.the(letter.funder)}{contact} "
        f"ou {letter.processor} ({letter.processor_address}). "
        f"Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la {CNIL}."
    )


def _paragraph(canvas, text: str, *, x: float, y: float, width: float, font=FONT, size=SIZE, leading=LEADING):
    """Draws `text` wrapped to `width` from the baseline y; returns the baseline after it."""
    drawn = canvas.beginText(x, y)
    drawn.setFont(font, size, leading)
    for line in simpleSplit(text, font, size, width):
        drawn.textLine(line)
    canvas.drawText(drawn)
    return drawn.getY()


def draw_letter_form(canvas, letter: Letter) -> None:
    """The form XObject "letter": everything but the address and the subject line."""
    canvas.beginForm("letter", lowerx=0, lowery=0, upperx=PAGE_W, uppery=PAGE_H)
    y = _paragraph(canvas, letter.funder, x=MARGIN, y=PAGE_H - 20 * mm, width=HEADER_W, font=FONT_BOLD, size=12)
    for line in letter.funder_contact:
        y = _paragraph(canvas, line, x=MARGIN, y=y, width=HEADER_W, size=8.5, leading=10.5)
    _paragraph(canvas, "avec #APTIC, le chèque culture numérique", x=MARGIN, y=y - 2 * mm, width=HEADER_W, size=8.5)
    # Fold marks in the margin: three panels of 99 mm.
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.5)
    for fold in (PANEL, 2 * PANEL):
        canvas.line(4 * mm, PAGE_H - fold, 8 * mm, PAGE_H - fold)
    canvas.setFont(FONT, SIZE)
    dated = f"le {formats.date(letter.day)}"
    canvas.drawRightString(PAGE_W - MARGIN, PAGE_H - 105 * mm, f"{letter.place}, {dated}" if letter.place else dated)
    y = PAGE_H - 128 * mm
    for paragraph in body(letter):
        y = _paragraph(canvas, paragraph, x=MARGIN, y=y, width=TEXT_W) - 6
    signature = f"Pour {formats.the(letter.funder)},"
    y = _paragraph(canvas, signature, x=PAGE_W / 2, y=y - 6, width=PAGE_W / 2 - MARGIN)
    y = _paragraph(canvas, "l'équipe #APTIC", x=PAGE_W / 2, y=y, width=PAGE_W / 2 - MARGIN)
    notice = simpleSplit(privacy(letter), FONT, SMALL, TEXT_W)
    top = 12 * mm + len(notice) * SMALL_LEADING + 12
    if top > y - LEADING:
        raise ValueError("The data-protection notice would overlap the letter's text.")
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top + 4, PAGE_W - MARGIN, top + 4)
    y = _paragraph(canvas, "Vos données personnelles", x=MARGIN, y=top - 6, width=TEXT_W, font=FONT_BOLD, size=8)
    _paragraph(canvas, privacy(letter), x=MARGIN, y=y, width=TEXT_W, size=SMALL, leading=SMALL_LEADING)
    canvas.endForm()


def draw_letter_page(canvas, letter: Letter, *, booklet_number: int) -> None:
    """What differs from one letter to the next but the address: the subject line."""
    canvas.setFont(FONT_BOLD, 10.5)
    canvas.drawString(
        MARGIN,
        PAGE_H - 116 * mm,
        f"Objet : votre carnet de chèques #APTIC n° {booklet_number} (commande n° {letter.order_id})",
    )
