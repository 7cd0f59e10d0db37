"""The certificate as a PDF: one landscape page, calm and centred.

Fonts and the canvas come from `omwellness.pdf` (they carry French accents). Long
names and titles shrink to fit the line rather than run off the page; a long list of
facilitators wraps.
"""

from django.conf import settings
from django.utils import timezone
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from omwellness.pdf import FONT, FONT_BOLD, FONT_ITALIC, LANDSCAPE, finish, new_document

from .models import Certificate

INK = HexColor("#1d2a2a")
GREEN = HexColor("#2f5d50")
MUTED = HexColor("#4a5757")
PAPER = HexColor("#fbfaf7")


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + certificate.get_absolute_url()


def _fitted(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to `size` at which `text` fits in `width`."""
    while size > 10 and stringWidth(text, font, size) > width:
        size -= 1
    return size


def certificate_pdf(certificate: Certificate) -> bytes:
    width, height = LANDSCAPE
    canvas, buffer = new_document(
        title=f"Certificate of completion: {certificate.program_title}", pagesize=LANDSCAPE
    )
    canvas.setSubject(f"Verification code {certificate.code}")
    centre = width / 2
    text_width = width - 160

    canvas.setFillColor(PAPER)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)
    canvas.setStrokeColor(GREEN)
    canvas.setLineWidth(2)
    canvas.rect(28, 28, width - 56, height - 56, stroke=1, fill=0)
    canvas.setLineWidth(0.5)
    canvas.rect(36, 36, width - 72, height - 72, stroke=1, fill=0)

    canvas.setFillColor(GREEN)
    canvas.setFont(FONT_BOLD, 16)
    canvas.drawCentredString(centre, height - 88, "omwellness")
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 30)
    canvas.drawCentredString(centre, height - 140, "Certificate of Completion")
    canvas.setStrokeColor(GREEN)
    canvas.line(centre - 60, height - 158, centre + 60, height - 158)

    canvas.setFillColor(MUTED)
    canvas.setFont(FONT_ITALIC, 13)
    canvas.drawCentredString(centre, height - 196, "This certifies that")
    canvas.setFillColor(INK)
    size = _fitted(certificate.name, FONT_BOLD, 32, text_width)
    canvas.setFont(FONT_BOLD, size)
    canvas.drawCentredString(centre, height - 240, certificate.name)
    canvas.setFillColor(MUTED)
    canvas.setFont(FONT_ITALIC, 13)
    canvas.drawCentredString(centre, height - 274, "has completed")
    canvas.setFillColor(INK)
    size = _fitted(certificate.program_title, FONT_BOLD, 22, text_width)
    canvas.setFont(FONT_BOLD, size)
    canvas.drawCentredString(centre, height - 310, certificate.program_title)

    canvas.setFont(FONT, 12.5)
    canvas.drawCentredString(centre, height - 342, certificate.dates)
    attended = (
        f"{certificate.sessions_attended} of {certificate.sessions_total} sessions attended "
        f"live · {certificate.live_hours} hours"
    )
    canvas.drawCentredString(centre, height - 362, attended)
    y = height - 392
    if certificate.facilitators:
        lines = simpleSplit(f"Facilitated by {certificate.facilitators}", FONT, 12.5, text_width)
        for line in lines[:3]:
            canvas.drawCentredString(centre, y, line)
            y -= 17

    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 10)
    issued = timezone.localdate(certificate.issued_at)
    canvas.drawString(64, 84, f"Issued {issued:%B} {issued.day}, {issued.year}")
    canvas.drawString(64, 68, "omwellness · Mindfulness and self-compassion in Ontario")
    canvas.drawRightString(width - 64, 84, f"Verification code {certificate.code}")
    url = verification_url(certificate)
    canvas.setFont(FONT, _fitted(url, FONT, 10, width / 2 - 64))
    canvas.drawRightString(width - 64, 68, url)
    return finish(canvas, buffer)
