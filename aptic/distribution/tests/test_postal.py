"""Letters and labels as La Poste takes them (ADR 0047): the NF Z10-011 address rule, checked on the
PDFs by tools that are not ours (pypdf's text extraction, PDFium's character boxes), the address
in a DL envelope's window whatever the sheet's play, and every font embedded."""

import io
import re

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from aptic.core import formats
from aptic.distribution.addresses import AddressFileError, read_address_file
from aptic.distribution.documents import render_labels, render_letters
from aptic.distribution.postal import AddressError, address_lines, postal_block, town_line
from aptic.distribution.tests.helpers import HOSTILE, row, sample_letter

MM = 72 / 25.4
SHEET_W, SHEET_H = 210, 297  # A4, mm
# NF Z10-011 as La Poste states it: 6 lines at most, 38 characters at most, the last one the
# postcode and the town in capitals, without accents or punctuation.
TOWN_LINE = re.compile(r"^\d{5}( [A-Z0-9]+)+$")


def _pdf(render, rows, **kwargs) -> bytes:
    out = io.BytesIO()
    render(out, rows, **kwargs)
    return out.getvalue()


# The rule itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "postal_code, town, expected",
    [
        ("33130", "Bègles", "33130 BEGLES"),
        ("33130", "BÈGLES", "33130 BEGLES"),
        ("38081", "L'Isle-d'Abeau Cedex", "38081 L ISLE D ABEAU CEDEX"),
        ("42000", "Saint-Étienne  Cédex 1", "42000 SAINT ETIENNE CEDEX 1"),
        ("02130", "Œuilly", "02130 OEUILLY"),
        ("97400", "Saint-Denis (La Réunion)", "97400 SAINT DENIS LA REUNION"),
        ("33000", "Bordeaux’s, « centre »", "33000 BORDEAUX S CENTRE"),
    ],
)
def test_the_town_line_is_in_capitals_without_accents_or_punctuation(postal_code, town, expected):
    assert town_line(postal_code, town) == expected


def test_the_block_keeps_accents_above_drops_blank_lines_and_places_the_complement():
    assert address_lines(
        name="  Éloïse   Lefèvre ", street="12 rue des Lilas", complement="Bât. B", postal_code="33130", city="Bègles"
    ) == ["Éloïse Lefèvre", "Bât. B", "12 rue des Lilas", "33130 BEGLES"]
    # A distribution mention goes under the street (line 5).
    assert address_lines(
        name="Jean O'Connor", street="3 allée de l'Océan", complement="Lieu-dit l'Étang", postal_code="42000", city="X"
    ) == ["Jean O'Connor", "3 allée de l'Océan", "Lieu-dit l'Étang", "42000 X"]
    assert address_lines(name="A", street="B", complement="   ", postal_code="33000", city="Y") == ["A", "B", "33000 Y"]


def test_seven_lines_or_a_39_character_line_are_refused():
    with pytest.raises(AddressError, match="7 lignes : La Poste en lit 6 au plus"):
        postal_block(["Nom", "Appt 12", "Esc. B", "Résidence X", "1 rue Y", "BP 3"], "33000", "Bordeaux")
    assert len(postal_block(["Nom", "Appt 12", "Résidence X", "1 rue Y", "BP 3"], "33000", "Bordeaux")) == 6
    with pytest.raises(AddressError, match="39 caractères : 38 au plus"):
        postal_block(["N" * 39], "33000", "Bordeaux")
    # 32 letters typed, 33 once Œ is written OE: the town line is 39.
    with pytest.raises(AddressError, match="39 caractères"):
        postal_block(["Nom"], "02130", "Œ" + "U" * 31)


def test_the_address_file_is_checked_with_the_same_rule():
    ok = "nom;adresse;code_postal;ville\nJeanne;1 rue X;02130;Œuilly\n".encode()
    assert read_address_file("a.csv", ok)[0].city == "ŒUILLY"
    refused = f"nom;adresse;code_postal;ville\nJeanne;1 rue X;02130;Œ{'U' * 31}\n".encode()
    with pytest.raises(AddressFileError) as caught:
        read_address_file("a.csv", refused)
    (message,) = caught.value.errors
    assert message.startswith("Ligne 2 : La ligne « 02130 OE") and "39 caractères" in message


def test_a_funder_is_named_with_its_article():
    assert formats.the("Département de la Gironde", capital=True) == "Le Département de la Gironde"
    assert formats.the("Région Nouvelle-Aquitaine") == "la Région Nouvelle-Aquitaine"
    assert formats.the("Agence X", capital=True) == "L'Agence X"
    assert formats.the("CCAS de Saint-Étienne") == "le CCAS de Saint-Étienne"
    assert formats.the("Bordeaux Métropole", capital=True) == "Bordeaux Métropole"


# Labels, read back by pypdf and PDFium ------------------------------------------------------------


def _labels_read_by_pypdf(page) -> dict[tuple[int, int], list[str]]:
    """Each label's lines, top to bottom, from pypdf's text positions (3 × 8 labels of 70 × 37 mm)."""
    height = float(page.mediabox.height)
    found: dict[tuple[int, int], list[tuple[float, str]]] = {}

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        cell = (int(x / MM // 70), int(((height - y) / MM - 0.5) // 37))
        found.setdefault(cell, []).append((y, text.strip("\n")))

    page.extract_text(visitor_text=visit)
    return {cell: [text for _, text in sorted(lines, key=lambda t: -t[0])] for cell, lines in found.items()}


def test_labels_read_back_within_nf_z10_011_limits_and_inside_their_label():
    data = _pdf(render_labels, HOSTILE, title="Étiquettes")
    labels = _labels_read_by_pypdf(PdfReader(io.BytesIO(data)).pages[0])
    assert sorted(labels) == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0)]
    for cell, lines in labels.items():
        assert 2 <= len(lines) <= 6, (cell, lines)
        assert all(line.strip() and len(line) <= 38 for line in lines), (cell, lines)
        assert TOWN_LINE.match(lines[-1]), (cell, lines)
    assert labels[(0, 0)] == [
        "Éloïse Lefèvre-de La Tour d'Auvergne",  # accents kept above the last line
        "Résidence « Les Chênes », bât. B",
        "12 rue des Lilas",
        "33130 BEGLES",
    ]
    assert labels[(1, 0)] == ["M" * 38, "É" * 38, "W" * 38, "99999 " + "W" * 32]
    assert labels[(2, 0)][-1] == "38081 L ISLE D ABEAU CEDEX"
    assert labels[(0, 1)][-2:] == ["Lieu-dit l'Étang", "42000 SAINT ETIENNE CEDEX 1"]
    assert labels[(1, 1)] == ["Paul Durand", "8 cours de l'Yser", "33800 BORDEAUX"]
    # Every character drawn inside its own label, the widest lines included (PDFium's boxes).
    page = pdfium.PdfDocument(data)[0]
    text = page.get_textpage()
    height = page.get_height()
    for index in range(text.count_chars()):
        if not text.get_text_range(index, 1).strip():
            continue
        left, bottom, right, top = text.get_charbox(index)
        col, line = int(left / MM // 70), int(((height - top) / MM - 0.5) // 37)
        assert col * 70 + 3 <= left / MM and right / MM <= col * 70 + 67, (index, left / MM, right / MM)
        assert line * 37 + 0.5 + 3 <= (height - top) / MM and (height - bottom) / MM <= line * 37 + 37.5 - 3


# Letters: the window, the text, the fonts --------------------------------------------------------

# A DL envelope (NF EN ISO 269, 220 × 110 mm) with La Poste's right-hand window: 100 × 45 mm,
# 20 mm from the right edge, 15 mm from the bottom. The A4 folded in three shows its top 99 mm.
ENV_W, ENV_H, WIN_W, WIN_H, WIN_RIGHT, WIN_BOTTOM = 220, 110, 100, 45, 20, 15


def _window_on_sheet(dx: float, dy: float) -> tuple[float, float, float, float]:
    """The window in the sheet's mm (left, top, right, bottom from its top-left corner) when the
    sheet's left edge is dx from the envelope's and its top fold dy below the envelope's top."""
    left, top = ENV_W - WIN_RIGHT - WIN_W - dx, ENV_H - WIN_BOTTOM - WIN_H - dy
    return left, top, left + WIN_W, top + WIN_H


PLAYS = [(dx, dy) for dx in (0, ENV_W - SHEET_W) for dy in (0, ENV_H - SHEET_H / 3)]


def _chars(page):
    """(character, left, top, right, bottom) in mm from the page's top-left corner, by PDFium."""
    text = page.get_textpage()
    height = page.get_height()
    for index in range(text.count_chars()):
        char = text.get_text_range(index, 1)
        if char.strip():
            left, bottom, right, top = text.get_charbox(index)
            yield char, left / MM, (height - top) / MM, right / MM, (height - bottom) / MM


def _assert_window_shows_the_address_only(data: bytes, expected: list[str]):
    windows = [_window_on_sheet(dx, dy) for dx, dy in PLAYS]
    lefts, tops, rights, bottoms = zip(*windows, strict=True)
    reach = (min(lefts), min(tops), max(rights), max(bottoms))  # where any position of the window is
    seen = []
    for char, left, top, right, bottom in _chars(pdfium.PdfDocument(data)[0]):
        if right > reach[0] and left < reach[2] and bottom > reach[1] and top < reach[3]:
            seen.append(char)
            for w_left, w_top, w_right, w_bottom in windows:
                assert w_left <= left and right <= w_right and w_top <= top and bottom <= w_bottom, (char, left, top)
    # All that any position of the window shows is the address, whole.
    assert "".join(seen) == "".join(expected).replace(" ", "")


@pytest.mark.parametrize("address", HOSTILE, ids=lambda r: r.name[:12])
def test_the_address_shows_in_the_window_whatever_the_play_and_nothing_else_does(address):
    data = _pdf(render_letters, [address], letter=sample_letter())
    expected = address_lines(
        name=address.name,
        street=address.street,
        complement=address.complement,
        postal_code=address.postal_code,
        city=address.city,
    )
    _assert_window_shows_the_address_only(data, expected)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert all(line in text for line in expected)


def test_the_longest_names_an_account_accepts_stay_in_their_places():
    # Organisation.name and .address at their max_length, in capitals (the widest letters).
    name = ("COMMUNAUTÉ DE COMMUNES " + "DU PAYS DE L'ENTRE-DEUX-MERS ET DES COTEAUX " * 5)[:200]
    address = ("HÔTEL DE LA COMMUNAUTÉ, " + "12 BOULEVARD DU PRÉSIDENT-FRANKLIN-ROOSEVELT " * 6)[:250]
    contact = (address, "33000 Bordeaux", "x" * 60 + "@example.org", "+33 5 56 00 00 00 00 00")
    data = _pdf(render_letters, [HOSTILE[1]], letter=sample_letter(funder=name, funder_contact=contact))
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    _assert_window_shows_the_address_only(data, ["M" * 38, "É" * 38, "W" * 38, "99999 " + "W" * 32])
    chars = list(_chars(pdfium.PdfDocument(data)[0]))
    assert all(
        left >= 15 and right <= SHEET_W - 15 and top >= 10 and bottom <= SHEET_H - 10
        for _, left, top, right, bottom in chars
    )
    # The sender block ends above the first fold (nothing across it), the letter's text above the notice.
    assert all(bottom < SHEET_H / 3 for _, _left, top, _right, bottom in chars if top < SHEET_H / 3 + 1)
    page = pdfium.PdfDocument(data)[0]
    text = page.get_textpage()

    def where(words):
        index, count = text.search(words).get_next()
        boxes = [text.get_charbox(i) for i in range(index, index + count)]
        return min(b[1] for b in boxes), max(b[3] for b in boxes)  # bottom, top (points from the foot)

    assert where("l'équipe #APTIC")[0] > where("Vos données personnelles")[1]
    assert where("Madame, Monsieur,")[1] < where("Objet : votre carnet")[0]


def test_the_letter_is_a_french_business_letter_with_the_data_protection_notice():
    data = _pdf(render_letters, [row(42)], letter=sample_letter())
    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    for part in (
        "Bordeaux, le 07/12/2026",
        "Objet : votre carnet de chèques #APTIC n° 42 (commande n° 7)",
        "Madame, Monsieur,",
        "Le Département de la Gironde vous offre ce carnet de 10 chèques #APTIC de 10,00 €.",
        "Les chèques sont valables jusqu'au 31/12/2027, acceptés jusqu'au 31/01/2028.",
        "Département de la Gironde 1 esplanade Charles-de-Gaulle 33000 Bordeaux contact@gironde.example",
        "Contactez le Département de la Gironde (coordonnées en tête de ce courrier)",
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
        "Pour le Département de la Gironde, l'équipe #APTIC",
        "Vos données personnelles",
        "responsable du traitement",
        "ne servent qu'à vous adresser ce carnet",
        "les efface 30 jours après le dépôt de ce courrier à La Poste",
        "articles 15 à 21 du RGPD) : contactez le Département de la Gironde (coordonnées en tête de ce courrier) "
        "ou #APTIC — plateforme de démonstration (1 rue de la Démonstration, 33000 Bordeaux)",
        "réclamation à la CNIL",
    ):
        assert part.replace("\u00a0", " ") in text.replace("\u00a0", " "), part
    letter = sample_letter(funder="Atlantique Énergies", place="", funder_contact=())
    other = _pdf(render_letters, [row(1)], letter=letter)
    other_text = " ".join(PdfReader(io.BytesIO(other)).pages[0].extract_text().split())
    assert "Atlantique Énergies vous offre" in other_text and "Pour Atlantique Énergies," in other_text
    assert "Le 07/12/2026" not in other_text and "le 07/12/2026" in other_text
    assert "coordonnées en tête" not in other_text  # no contact of its own: the platform's only


def _fonts(reader: PdfReader) -> dict:
    """Every font a page or a form XObject of the file uses, by name."""
    fonts = {}

    def walk(resources):
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return fonts


@pytest.mark.parametrize(
    "render, kwargs", [(render_letters, {"letter": sample_letter()}), (render_labels, {"title": "t"})]
)
def test_every_font_of_letters_and_labels_is_embedded(render, kwargs):
    fonts = _fonts(PdfReader(io.BytesIO(_pdf(render, HOSTILE, **kwargs))))
    assert fonts
    for name, font in fonts.items():
        if "/FontDescriptor" not in font:
            font = font["/DescendantFonts"][0].get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name


@pytest.mark.django_db
def test_a_mailing_writes_its_funder_its_contact_and_its_day_into_the_letters(funder, funder_admin, released):
    from django.utils import timezone

    from aptic.core import legal
    from aptic.distribution.mailings import mailing_create, mailing_documents_generate

    funder.name, funder.email, funder.phone = "Département de la Gironde", "cheques@gironde.example", "05 56 00 00 00"
    funder.address = "1 esplanade Charles-de-Gaulle"
    funder.save()
    order = released(quantity=50)
    data = "nom;adresse;code_postal;ville\nJeanne Martin;2 rue d'Ornano;33130;Bègles\n".encode()
    mailing = mailing_create(funder=funder, order=order, filename="a.csv", data=data, user=funder_admin)
    mailing_documents_generate(mailing=mailing)
    mailing.refresh_from_db()
    with mailing.letters.open("rb") as handle:
        text = " ".join(PdfReader(handle).pages[0].extract_text().split())
    assert f"le {formats.date(timezone.localdate(mailing.created_at))}" in text
    assert "Le Département de la Gironde vous offre ce carnet" in text
    assert "Département de la Gironde 1 esplanade Charles-de-Gaulle cheques@gironde.example 05 56 00 00 00" in text
    assert legal.seller().name in text and "33130 BEGLES" in text
    with mailing.labels.open("rb") as handle:
        assert "33130 BEGLES" in PdfReader(handle).pages[0].extract_text()
