"""The certificate as a PDF: one landscape page, calm and centred.

Fonts and the canvas come from `omwellness.pdf` (they carry French accents). Long
names and titles shrink to fit the line rather than run off the page; a long list of
facilitators wraps. Every word is in the holder's language: the registration's.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from omwellness.formatting import number, plain_date
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
    with translation.override(certificate.registration.language):
        return _drawn(certificate)


def _drawn(certificate: Certificate) -> bytes:
    width, height = LANDSCAPE
    canvas, buffer = new_document(
        title=_("Certificate of completion: %(program)s") % {"program": certificate.program_title},
        pagesize=LANDSCAPE,
    )
    verification = _("Verification code %(code)s") % {"code": certificate.code}
    canvas.setSubject(verification)
    centre = width / 2
    text_width = width - 160

    canvas.setFillColor(PAPER)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)
    canvas.setStrokeColor(GREEN)
    canvas.setLineWidth(2)
    canvas.rect(28, 28, width - 56, height - 56, stroke=1, fill=0)
    canvas.setLineWidth(0.5)
    canvas.rect(36, 36, width - 72, height - 72, stroke=1, fill=0)

    def centred(text: str, drop: float, font: str, size: float, colour=INK) -> None:
        """One line centred `drop` points below the top, shrunk to fit the width."""
        canvas.setFillColor(colour)
        canvas.setFont(font, _fitted(text, font, size, text_width))
        canvas.drawCentredString(centre, height - drop, text)

    centred("omwellness", 104, FONT_BOLD, 16, GREEN)
    centred(_("Certificate of Completion"), 156, FONT, 30)
    canvas.setStrokeColor(GREEN)
    canvas.line(centre - 60, height - 174, centre + 60, height - 174)
    centred(_("This certifies that"), 212, FONT_ITALIC, 13, MUTED)
    centred(certificate.name, 256, FONT_BOLD, 32)
    centred(_("has completed"), 290, FONT_ITALIC, 13, MUTED)
    centred(certificate.program_title, 326, FONT_BOLD, 22)

    canvas.setFont(FONT, 12.5)
    canvas.drawCentredString(centre, height - 358, certificate.dates)
    attended = _("%(attended)s of %(total)s sessions attended live · %(hours)s hours") % {
        "attended": certificate.sessions_attended,
        "total": certificate.sessions_total,
        "hours": number(float(certificate.live_hours)),
    }
    canvas.drawCentredString(centre, height - 378, attended)
    y = height - 408
    if certificate.facilitators:
        facilitated = _("Facilitated by %(names)s") % {"names": certificate.facilitators}
        lines = simpleSplit(facilitated, FONT, 12.5, text_width)
        for line in lines[:3]:
            canvas.drawCentredString(centre, y, line)
            y -= 17

    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 10)
    canvas.drawString(64, 84, _("Issued %(date)s") % {"date": plain_date(certificate.issued_at)})
    canvas.drawString(64, 68, _("omwellness · Mindfulness and self-compassion in Ontario"))
    canvas.drawRightString(width - 64, 84, verification)
    url = verification_url(certificate)
    canvas.setFont(FONT, _fitted(url, FONT, 10, width / 2 - 64))
    canvas.drawRightString(width - 64, 68, url)
    return finish(canvas, buffer)
