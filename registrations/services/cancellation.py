"""Cancelling and refunding registrations. Transfers live in transfer.py."""

from django.db import transaction
from django.utils import timezone

from registrations import emails, payments
from registrations.models import Payment, Registration

from .availability import program_lock
from .errors import CancellationRefused
from .log import registration_log
from .refunds import refund_payment


def paid_cents(*, registration: Registration) -> int:
    return registration.amount_paid.net_cents


def refund_quote(*, registration: Registration, now=None) -> int:
    """What the program's policy refunds now: everything paid until N days before the
    first session, nothing after."""
    now = now or timezone.now()
    first = registration.program.sessions.order_by("starts_at").first()
    deadline = registration.program.full_refund_deadline(first.starts_at if first else None)
    if deadline is not None and now >= deadline:
        return 0
    return paid_cents(registration=registration)


def seat_release(*, registration: Registration, status: str, now=None) -> None:
    """Frees the registration's seat and offers it to the waitlist. Inside a transaction."""
    from .waitlist import waitlist_offer_free_seats

    now = now or timezone.now()
    registration.status = status
    registration.cancelled_at = now
    registration.hold_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "hold_expires_at", "updated_at"])
    waitlist_offer_free_seats(program_id=registration.program_id, now=now)


def registration_cancel(
    *,
    registration: Registration,
    actor=None,
    refund_cents: int | None = None,
    reason: str = "",
    now=None,
) -> Registration:
    """Cancels a registration, refunds by the policy (or the amount staff chose), frees
    the seat for the waitlist, and tells the person and the facilitators.

    A Stripe outage raises PaymentsUnavailable and changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        program_lock(program_id=registration.program_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_active:
            raise CancellationRefused("This registration is already cancelled.")
        paid = paid_cents(registration=registration)
        amount = (
            refund_quote(registration=registration, now=now)
            if refund_cents is None
            else refund_cents
        )
        if amount < 0 or amount > paid:
            raise CancellationRefused(f"The refund must be between 0 and {paid / 100:.2f} CAD.")
        remaining = amount
        for payment in registration.payments.select_for_update().filter(status=Payment.Status.PAID):
            if remaining <= 0:
                break
            refund = refund_payment(
                payment=payment,
                amount_cents=remaining,
                reason=reason or "Cancelled",
                key=f"cancel-{registration.reference}-{payment.pk}",
                actor=actor,
            )
            remaining -= refund.amount_cents if refund else 0
        # A hold being cancelled may have a checkout page open: make it unpayable.
        open_payments = registration.payments.filter(status=Payment.Status.OPEN)
        open_sessions = list(open_payments.values_list("checkout_session_id", flat=True))
        open_payments.update(status=Payment.Status.EXPIRED)
        was_confirmed = registration.status == Registration.Status.CONFIRMED
        status = (
            Registration.Status.REFUNDED
            if amount and amount == paid
            else Registration.Status.CANCELLED
        )
        seat_release(registration=registration, status=status, now=now)
        registration_log(
            registration=registration,
            actor=actor,
            action="cancelled",
            message=f"refund {amount / 100:.2f} CAD" + (f"; {reason}" if reason else ""),
        )
        if was_confirmed:
            emails.cancellation(registration=registration, refund_cents=amount)
            emails.facilitators_notice(registration=registration, event="cancelled")
    for session_id in open_sessions:
        try:
            payments.checkout_session_expire(session_id)
        except payments.PaymentsUnavailable:
            pass  # it expires at Stripe by itself; a late payment is refunded (fulfilment)
    return registration
