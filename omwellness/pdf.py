"""What every PDF of the site shares: its fonts and how a document starts.

Receipts and certificates are drawn with reportlab. Its built-in Helvetica knows only
Latin-1, so the documents embed the Bitstream Vera TrueType fonts that reportlab ships:
they cover French accents (é, è, à, ç, œ) and embed, so the PDF reads the same anywhere.
"""

from io import BytesIO
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import landscape, letter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "OmwSans"
FONT_BOLD = "OmwSans-Bold"
FONT_ITALIC = "OmwSans-Italic"
_FONT_FILES = {FONT: "Vera.ttf", FONT_BOLD: "VeraBd.ttf", FONT_ITALIC: "VeraIt.ttf"}

PORTRAIT = letter
LANDSCAPE = landscape(letter)


def _register_fonts() -> None:
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, filename in _FONT_FILES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(folder / filename)))


def new_document(*, title: str, pagesize=PORTRAIT) -> tuple[Canvas, BytesIO]:
    """A canvas drawing into memory, with the site's fonts and the document's title.

    Draw on the canvas, call `finish(canvas, buffer)` and serve the bytes it returns.
    """
    _register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1)
    canvas.setTitle(title)
    canvas.setAuthor("omwellness")
    canvas.setFont(FONT, 11)
    return canvas, buffer


def finish(canvas: Canvas, buffer: BytesIO) -> bytes:
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
