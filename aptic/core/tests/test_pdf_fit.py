"""fit_lines (ADR 0058): shrink, then wrap, never under the minimum size; beyond, the start of the
text at a word boundary with an ellipsis, never ending on a small word such as "de la"."""

from reportlab.pdfbase.pdfmetrics import stringWidth

from aptic.core.pdf import ELLIPSIS, FONT, fit_lines

NAME = "Communauté de communes du Pays de la Vallée de la Dordogne et des Coteaux du Périgord"


def test_a_name_that_fits_is_whole():
    size, lines = fit_lines(NAME, FONT, 600, size=9, min_size=6.5)
    assert (size, lines) == (9, [NAME])


def test_a_name_too_long_is_cut_after_a_word_never_on_a_small_one():
    for width in (80, 120, 150):  # 200 points: two lines of 8 pt, whole
        size, lines = fit_lines(NAME, FONT, width, size=9, min_size=6.5, max_lines=2)
        text = " ".join(lines)
        assert size == 6.5 and len(lines) <= 2 and text.endswith(ELLIPSIS)
        assert all(stringWidth(line, FONT, size) <= width for line in lines)
        kept = text[: -len(ELLIPSIS)]
        assert NAME.startswith(kept) and NAME[len(kept)] == " "
        assert kept.split()[-1].lower() not in {"de", "du", "des", "la", "et"}


def test_one_word_longer_than_the_line_is_cut_between_letters():
    size, lines = fit_lines("x" * 200, FONT, 100, size=9, min_size=6.5, max_lines=2)
    assert size == 6.5 and lines[-1].endswith(ELLIPSIS) and stringWidth(lines[0], FONT, 6.5) <= 100
