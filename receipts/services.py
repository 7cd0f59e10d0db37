"""Issuing receipts and credit notes: numbered from one counter, in the transaction that
records the payment or refund (registrations' signals), at most once each.

Lock order (registrations/services/availability.py): a payment or refund is recorded
with its registration locked; the counter is locked after it and held to the commit.
No path records money while holding a program lock, so the counter never waits on one
that waits on it.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from omwellness.formatting import plain_date
from omwellness.models import Centre
from omwellness.tax import TaxSettings, tax_within
from programs.schedule import schedule_summary
from registrations.models import Payment, Refund, Registration

from .models import Receipt, ReceiptCounter

logger = logging.getLogger(__name__)

# Written onto the document in the registration's language when it is issued.
PAID_BY_CARD = gettext_noop("Card, through Stripe")
REFUNDED_TO_CARD = gettext_noop("Refund to the card paid with, through Stripe")


def next_number() -> int:
    """The next receipt number. Call inside the transaction that writes the receipt: the
    counter row stays locked until it commits, so a rollback gives the number back and
    two receipts never share one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A receipt number is taken inside the transaction that uses it.")
    ReceiptCounter.objects.get_or_create(pk=1)
    counter = ReceiptCounter.objects.select_for_update().get(pk=1)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _seller(centre: Centre) -> dict:
    contact = " · ".join(part for part in (centre.email, centre.phone, centre.website) if part)
    return {
        "seller_name": centre.legal_name or centre.name,
        "seller_address": centre.mailing_address,
        "seller_contact": contact,
        "business_number": centre.business_number if centre.hst_registered else "",
    }


def _description(registration: Registration) -> str:
    program = registration.program
    sessions = list(program.sessions.order_by("starts_at"))
    parts = [program.title]
    if registration.price_label:
        parts[0] = _("%(label)s: %(value)s") % {
            "label": program.title,
            "value": registration.price_label,
        }
    when = schedule_summary(sessions)
    if when:
        parts.append(when)
    return _("Registration %(reference)s, %(what)s") % {
        "reference": registration.reference,
        "what": " · ".join(parts),
    }


def _issue(
    *,
    registration: Registration,
    centre: Centre,
    tax_cents: int,
    total: int,
    words: Callable[[], dict[str, str]],
    **fields,
):
    """Writes the document. Its words (the description, and the payment method and terms
    `words` writes) are in the registration's language, as the PDF that prints them."""
    with translation.override(registration.language):
        return _written(
            registration=registration,
            centre=centre,
            tax_cents=tax_cents,
            total=total,
            **words(),
            **fields,
        )


def _written(*, registration: Registration, centre: Centre, tax_cents: int, total: int, **fields):
    settings = TaxSettings.of(centre)
    return Receipt.objects.create(
        number=next_number(),
        registration=registration,
        buyer_name=registration.name,
        buyer_email=registration.email,
        reference=registration.reference,
        description=_description(registration)[:500],
        before_tax_cents=total - tax_cents,
        tax_cents=tax_cents,
        total_cents=total,
        tax_name=settings.name if (tax_cents or settings.registered) else "",
        tax_rate_label=settings.rate_label if tax_cents else "",
        **_seller(centre),
        **fields,
    )


def receipt_for_payment(*, payment: Payment) -> Receipt | None:
    """The payment's receipt, issued now if it has none. Only money the site accepted
    (a PAID payment) gets one: a refused payment was never a sale."""
    existing = Receipt.objects.filter(payment=payment).first()
    if existing is not None:
        return existing
    if payment.status != Payment.Status.PAID:
        return None
    registration = payment.registration
    # The tax is the part of the amount due the registration fixed when the amount was
    # (fulfilment accepts exactly that amount), never recomputed from today's settings.
    tax = tax_within(
        payment.amount_cents,
        total_cents=registration.amount_due_cents,
        tax_cents=registration.tax_cents,
    )
    paid_at = payment.paid_at or timezone.now()
    return _issue(
        registration=registration,
        centre=Centre.current(),
        tax_cents=tax,
        total=payment.amount_cents,
        kind=Receipt.Kind.PAYMENT,
        payment=payment,
        transaction_date=paid_at,
        words=lambda: {
            "payment_method": _(PAID_BY_CARD),
            "terms": _("Paid in full by card on %(date)s.") % {"date": plain_date(paid_at)},
        },
    )


def credit_note_for_refund(*, refund: Refund) -> Receipt | None:
    """The refund's credit note, naming the payment's receipt, issued now if it has none.

    Its tax is the refund's share of the receipt's tax, worked out on everything refunded
    so far less what earlier credit notes took back, so the credit notes of a payment
    refunded in full add up to its receipt exactly.
    """
    existing = Receipt.objects.filter(refund=refund).first()
    if existing is not None:
        return existing
    if refund.status == "failed":
        return None
    original = receipt_for_payment(payment=refund.payment)
    if original is None:
        logger.info("No credit note for refund %s: its payment has no receipt", refund.pk)
        return None
    earlier = original.credit_notes.aggregate(total=Sum("total_cents"), tax=Sum("tax_cents"))
    refunded_before = earlier["total"] or 0
    refunded = min(refund.amount_cents, original.total_cents - refunded_before)
    if refunded <= 0:
        return None
    tax = tax_within(
        refunded_before + refunded, total_cents=original.total_cents, tax_cents=original.tax_cents
    ) - (earlier["tax"] or 0)
    when = refund.created_at
    return _issue(
        registration=original.registration,
        centre=Centre.current(),
        tax_cents=min(refunded, max(0, tax)),
        total=refunded,
        kind=Receipt.Kind.CREDIT_NOTE,
        refund=refund,
        original=original,
        transaction_date=when,
        words=lambda: {
            "payment_method": _(REFUNDED_TO_CARD),
            "terms": _("Refunded on %(date)s against receipt %(number)s.")
            % {"date": plain_date(when), "number": original.label},
        },
    )


def on_payment_recorded(sender, payment: Payment, **kwargs) -> None:
    receipt_for_payment(payment=payment)


def on_refund_recorded(sender, refund: Refund, **kwargs) -> None:
    credit_note_for_refund(refund=refund)
