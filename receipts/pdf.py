"""A receipt or credit note as a one-page PDF (omwellness.pdf gives the fonts and canvas).

It prints every detail the document carries, whatever the amount: seller's name,
address and business number, the number and date, the buyer's name, a description,
the amount before tax, the tax with its name and rate, the total, the payment method
and the terms; a credit note names the receipt it refers to. It is written in the
registration's language: labels, amounts ("295,00 $"), dates and the tax's name ("TVH").
"""

from django.utils import translation
from django.utils.translation import gettext as _

from omwellness.formatting import is_french, plain_date
from omwellness.money import format_money
from omwellness.pdf import FONT, FONT_BOLD, PORTRAIT, finish, new_document
from omwellness.tax import tax_name_shown

from .models import Receipt

MARGIN = 56
LINE = 15


def _wrap(text: str, width: int) -> list[str]:
    """Splits `text` into lines of at most about `width` characters, at spaces; never at
    a non-breaking one (French: "295,00 $", "19 h 00", "Modalités :")."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in (word for word in paragraph.split(" ") if word):
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
    return lines


def _rate(label: str) -> str:
    """The stored rate as the reader writes it: "13%" / "13 %", "14.975%" / "14,975 %"."""
    return label.replace(".", ",").replace("%", "\u00a0%") if is_french() else label


def _labelled(label: str, value: str) -> str:
    """ "Number: 000042" / "Numéro : 000042" (French puts a space before the colon)."""
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def receipt_pdf(receipt: Receipt) -> bytes:
    with translation.override(receipt.registration.language):
        return _drawn(receipt)


def _drawn(receipt: Receipt) -> bytes:
    title = receipt.get_kind_display()
    canvas, buffer = new_document(title=f"{title} {receipt.label}", pagesize=PORTRAIT)
    width, height = PORTRAIT
    right = width - MARGIN
    y = height - MARGIN

    canvas.setFont(FONT_BOLD, 16)
    canvas.drawString(MARGIN, y, receipt.seller_name)
    canvas.setFont(FONT_BOLD, 18)
    canvas.drawRightString(right, y, title)
    canvas.setFont(FONT, 10)
    y -= LINE + 4
    top = y
    for line in [*receipt.seller_address.splitlines(), receipt.seller_contact]:
        canvas.drawString(MARGIN, y, line)
        y -= LINE
    if receipt.business_number:
        canvas.drawString(MARGIN, y, _labelled(_("Business number (BN)"), receipt.business_number))
        y -= LINE
    facts = [
        (_("Number"), receipt.label),
        (_("Date"), plain_date(receipt.transaction_date)),
        (_("Reference"), receipt.reference),
    ]
    if receipt.original is not None:
        facts.append((_("Original receipt"), receipt.original.label))
    fact_y = top
    for label, value in facts:
        canvas.drawRightString(right, fact_y, _labelled(label, value))
        fact_y -= LINE
    y = min(y, fact_y) - LINE

    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(MARGIN, y, _("Credited to") if receipt.is_credit_note else _("Sold to"))
    canvas.setFont(FONT, 10)
    y -= LINE
    canvas.drawString(MARGIN, y, receipt.buyer_name)
    y -= LINE
    canvas.drawString(MARGIN, y, receipt.buyer_email)
    y -= 2 * LINE

    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(MARGIN, y, _("Description"))
    canvas.drawRightString(right, y, _("Amount (CAD)"))
    y -= 4
    canvas.line(MARGIN, y, right, y)
    y -= LINE
    canvas.setFont(FONT, 10)
    sign = "−" if receipt.is_credit_note else ""
    description = _wrap(receipt.description, 70)
    canvas.drawRightString(right, y, sign + format_money(receipt.before_tax_cents))
    for line in description:
        canvas.drawString(MARGIN, y, line)
        y -= LINE
    y -= 4
    canvas.line(MARGIN, y + LINE - 4, right, y + LINE - 4)
    tax_name = tax_name_shown(receipt.tax_name)
    rows = [(_("Amount before tax"), receipt.before_tax_cents)]
    if receipt.tax_name:
        rate = f" ({_rate(receipt.tax_rate_label)})" if receipt.tax_rate_label else ""
        rows.append((f"{tax_name}{rate}", receipt.tax_cents))
    else:
        rows.append((_("Sales tax"), receipt.tax_cents))
    for label, cents in rows:
        canvas.drawString(right - 260, y, label)
        canvas.drawRightString(right, y, sign + format_money(cents))
        y -= LINE
    canvas.setFont(FONT_BOLD, 11)
    total_label = _("Total credited") if receipt.is_credit_note else _("Total paid")
    canvas.drawString(right - 260, y, total_label)
    canvas.drawRightString(right, y, sign + format_money(receipt.total_cents))
    y -= 2 * LINE

    canvas.setFont(FONT, 10)
    canvas.drawString(MARGIN, y, _labelled(_("Payment method"), receipt.payment_method))
    y -= LINE
    for line in _wrap(_labelled(_("Terms"), receipt.terms), 95):
        canvas.drawString(MARGIN, y, line)
        y -= LINE
    if receipt.tax_name and not receipt.tax_cents:
        no_tax = _("No %(tax)s was charged on this amount.") % {"tax": tax_name}
        canvas.drawString(MARGIN, y, no_tax)
        y -= LINE
    y -= LINE
    canvas.setFont(FONT, 8)
    canvas.drawString(MARGIN, y, _("Amounts in Canadian dollars."))
    return finish(canvas, buffer)
