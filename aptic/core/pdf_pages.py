"""'Page 1 sur 3' at the foot of every page of a reportlab document: the total is known only once the
story is laid out, so the canvas keeps each page and writes the numbers when the document is saved."""

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from .pdf import FONT, register_fonts


class NumberedCanvas(Canvas):
    """Pass as `canvasmaker=` to a doc template's build(). Its initial font is ours, not reportlab's
    Helvetica, which would be named on every page without being embedded. A document with its own
    footer sets where the number sits (NUMBER_Y, NUMBER_SIZE)."""

    NUMBER_Y = 8 * mm
    NUMBER_SIZE = 8

    def __init__(self, *args, **kwargs):
        register_fonts()
        kwargs["initialFontName"] = kwargs.get("initialFontName") or FONT
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            width = self._pagesize[0]
            self.setFont(FONT, self.NUMBER_SIZE)
            self.drawRightString(width - 15 * mm, self.NUMBER_Y, f"Page {number} sur {total}")
            super().showPage()
        super().save()
