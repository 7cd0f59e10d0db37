"""Turning Stripe's word into seats (DESIGN rules 3 and 4).

`registration_fulfill` is the one idempotent path from a paid Checkout Session to a
confirmed seat: the webhook and the success page both call it, in any order, any
number of times. The session is always fetched again from Stripe; an event is
only a trigger.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from registrations import emails, payments
from registrations.models import Payment, Refund, Registration, StripeEvent

from .availability import program_lock, seats_free
from .log import registration_log
from .refunds import refund_payment
from .registration import registration_confirm

logger = logging.getLogger(__name__)


def registration_fulfill(*, checkout_session_id: str) -> Registration | None:
    """Brings the registration in line with its Checkout Session, and returns it.

    Only a session the site opened for that registration (its Payment row exists, its
    reference and metadata match) for exactly the amount due in CAD can confirm a seat.
    Money taken by any other session naming a registration (a Payment Link with a
    client_reference_id, a session edited or made elsewhere) is refunded in full and
    recorded as a refused payment; such a session never touches the seat or the hold.
    """
    session = payments.checkout_session_retrieve(checkout_session_id)
    with transaction.atomic():
        found = _registration_for(session)
        if found is None:
            return None
        registration, payment = found
        if payment is not None and payment.status in (Payment.Status.PAID, Payment.Status.REFUSED):
            # Already settled. Checked before the terms: a transfer may since have changed
            # the program or the amount due, and that must not undo a payment accepted then.
            return registration
        refusal = _refusal(session=session, registration=registration, payment=payment)
        if refusal is not None:
            if session.payment_status == "paid":
                _refuse(registration=registration, payment=payment, session=session, why=refusal)
            else:
                # Nothing to give back yet; if the money arrives, the paid event refuses it.
                logger.warning(
                    "Ignored checkout session %s (%s) naming %s: %s",
                    session.id,
                    session.status,
                    registration.reference,
                    refusal,
                )
            return registration
        if payment is None:  # never: _refusal refuses every session without a Payment row
            return registration
        if session.payment_status in ("paid", "no_payment_required"):
            _paid(registration=registration, payment=payment, session=session)
        elif session.status == "complete":
            _processing(registration=registration, payment=payment, session=session)
        elif session.status == "expired":
            _expired(registration=registration, payment=payment)
        return registration


def _registration_for(
    session: payments.CheckoutSession,
) -> tuple[Registration, Payment | None] | None:
    """The registration the session belongs to or names, locked, with our record of the
    session (None when the site never opened it).

    The Payment row is read again once the registration is locked: the webhook and the
    success page may race, and the second must see what the first wrote.
    """
    recorded = Payment.objects.filter(checkout_session_id=session.id).first()
    if recorded is not None:
        registrations = Registration.objects.filter(pk=recorded.registration_id)
    else:
        reference = session.client_reference_id or session.metadata.get("registration")
        if not reference:
            return None  # not about a registration: some other sale on the account
        registrations = Registration.objects.filter(reference=reference)
    registration = registrations.select_for_update().first()
    if registration is None:
        return None
    payment = (
        Payment.objects.select_for_update()
        .filter(checkout_session_id=session.id, registration=registration)
        .first()
    )
    return registration, payment


def _refusal(
    *, session: payments.CheckoutSession, registration: Registration, payment: Payment | None
) -> str | None:
    """Why this session may not pay for this registration; None when it is the one we asked for."""
    if payment is None:
        if session.payment_link_id:
            return "paid through a Payment Link, not a checkout the site opened"
        return "paid in a checkout session the site did not open for this registration"
    asked = {"registration": registration.reference, "program": registration.program.slug}
    if session.client_reference_id != registration.reference or any(
        session.metadata.get(key) != value for key, value in asked.items()
    ):
        return "the checkout session's details do not match the registration"
    if session.currency != "cad":
        return f"paid in {session.currency.upper() or 'an unknown currency'}, not CAD"
    if session.amount_total != registration.amount_due_cents:
        return (
            f"{session.amount_total / 100:.2f} CAD paid where "
            f"{registration.amount_due_cents / 100:.2f} CAD was due"
        )
    return None


def _refuse(
    *,
    registration: Registration,
    payment: Payment | None,
    session: payments.CheckoutSession,
    why: str,
) -> None:
    """Records the money as a refused payment and gives all of it back. The seat, the hold
    and the registration's status stay as they were: the payer may not even be the person
    registered, so nobody is emailed; Stripe's refund receipt reaches the payer."""
    if payment is None:
        payment = Payment(
            registration=registration,
            checkout_session_id=session.id,
            expires_at=session.expires_at,
        )
    payment.status = Payment.Status.REFUSED
    payment.payment_intent_id = session.payment_intent_id
    payment.amount_cents = session.amount_total
    payment.currency = session.currency[:3]
    payment.paid_at = timezone.now()
    payment.save()
    _refund_in_full(payment=payment, why=f"a payment the site did not ask for ({why})")
    amount = f"{session.amount_total / 100:.2f} {session.currency.upper()}"
    registration_log(
        registration=registration,
        action="payment refused",
        message=f"{amount}, {session.id}: {why}. Refunded in full; the seat is unchanged.",
    )
    logger.warning(
        "Refused payment %s for %s (%s): %s", session.id, registration.reference, amount, why
    )


def _paid(
    *, registration: Registration, payment: Payment, session: payments.CheckoutSession
) -> None:
    if payment.status == Payment.Status.PAID:
        return
    now = timezone.now()
    payment.status = Payment.Status.PAID
    payment.payment_intent_id = session.payment_intent_id
    payment.paid_at = now
    payment.amount_cents = session.amount_total
    payment.save(update_fields=["status", "payment_intent_id", "paid_at", "amount_cents"])
    registration_log(
        registration=registration,
        action="paid",
        message=f"{payment.amount_cents / 100:.2f} CAD, {session.id}",
    )

    other_paid = registration.payments.filter(status=Payment.Status.PAID).exclude(pk=payment.pk)
    if registration.status == Registration.Status.CONFIRMED or other_paid.exists():
        _refund_unwanted(registration, payment, "a second payment for the same registration")
        return
    if registration.status in (Registration.Status.CANCELLED, Registration.Status.REFUNDED):
        _refund_unwanted(registration, payment, "the registration was already cancelled")
        return
    if registration.hold_is_live(now):
        registration_confirm(registration=registration, now=now, reason="paid in time")
        return
    # The hold expired before the payment landed: a free seat is theirs, else a refund.
    program = program_lock(program_id=registration.program_id, now=now)
    if seats_free(program=program, now=now) > 0:
        try:
            with transaction.atomic():
                registration_confirm(
                    registration=registration,
                    now=now,
                    reason="paid after the hold expired; a seat was free",
                )
            return
        except IntegrityError:
            # The same email registered again meanwhile: refund this one.
            logger.warning(
                "Late payment for %s refunded: the email has another active registration",
                registration.reference,
            )
    _refund_unwanted(registration, payment, "paid after the hold expired and the program was full")
    registration.status = Registration.Status.REFUNDED
    registration.save(update_fields=["status", "updated_at"])
    emails.late_payment_refunded(registration=registration, refund_cents=payment.amount_cents)


def _refund_unwanted(registration: Registration, payment: Payment, why: str) -> None:
    _refund_in_full(payment=payment, why=why)
    registration_log(registration=registration, action="refunded automatically", message=why)


def _refund_in_full(*, payment: Payment, why: str) -> None:
    """The one automatic refund of a session's money. The key names the session, so
    duplicate events, the success page and a retry after a crash all reach Stripe with
    the same key and get the same single refund back."""
    refund_payment(
        payment=payment,
        amount_cents=payment.amount_cents - payment.amount_refunded_cents,
        reason=f"Automatic full refund: {why}.",
        key=f"auto-{payment.checkout_session_id}",
    )


def _processing(*, registration: Registration, payment: Payment, session) -> None:
    if payment.status != Payment.Status.OPEN:
        return
    payment.status = Payment.Status.PROCESSING
    payment.payment_intent_id = session.payment_intent_id
    payment.save(update_fields=["status", "payment_intent_id"])
    registration_log(registration=registration, action="payment processing")


def _expired(*, registration: Registration, payment: Payment) -> None:
    from .registration import _hold_release
    from .waitlist import waitlist_offer_free_seats

    if payment.status == Payment.Status.OPEN:
        payment.status = Payment.Status.EXPIRED
        payment.save(update_fields=["status"])
    still_payable = registration.payments.filter(
        status__in=[Payment.Status.OPEN, Payment.Status.PROCESSING, Payment.Status.PAID]
    ).exists()
    if registration.status == Registration.Status.PENDING and not still_payable:
        now = timezone.now()
        if registration.hold_is_live(now):
            return  # a newer hold is waiting for a new checkout
        _hold_release(registration=registration, now=now, reason="checkout expired")
        waitlist_offer_free_seats(program_id=registration.program_id, now=now)


def _async_failed(event: dict) -> str:
    session_id = event["data"]["object"].get("id")
    if not isinstance(session_id, str):
        return "no checkout session id"
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(checkout_session_id=session_id).first()
        if payment is None or payment.status == Payment.Status.FAILED:
            return "nothing to do"
        payment.status = Payment.Status.FAILED
        payment.save(update_fields=["status"])
        registration = payment.registration
        registration_log(registration=registration, action="payment failed")
        if registration.status == Registration.Status.PENDING:
            emails.payment_failed(registration=registration)
    return "payment failed"


def _charge_refunded(event: dict) -> str:
    """Keeps refunds in sync, including ones made in Stripe's dashboard."""
    charge = event["data"]["object"]
    intent = charge.get("payment_intent")
    refunded = charge.get("amount_refunded")
    # Without an intent the lookup would match any payment that has none yet.
    if not isinstance(intent, str) or not intent:
        return "no payment intent"
    if not isinstance(refunded, int) or isinstance(refunded, bool):
        return "no refunded amount"
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(payment_intent_id=intent).first()
        if payment is None:
            return "unknown payment"
        if refunded <= payment.amount_refunded_cents:
            return "already known"
        if refunded > payment.amount_cents:
            logger.error("Charge %s refunds more than payment %s took", charge.get("id"), payment)
            return "refunded more than was paid: not recorded"
        known = sum(r.amount_cents for r in payment.refunds.exclude(status="failed"))
        difference = refunded - max(known, payment.amount_refunded_cents)
        if difference > 0:
            Refund.objects.create(
                payment=payment,
                amount_cents=difference,
                reason="Refunded in Stripe",
                status="succeeded",
            )
        payment.amount_refunded_cents = refunded
        payment.save(update_fields=["amount_refunded_cents"])
        registration = Registration.objects.select_for_update().get(pk=payment.registration_id)
        registration_log(
            registration=registration,
            action="refund recorded",
            message=f"{refunded / 100:.2f} CAD refunded in all",
        )
        if difference > 0:
            emails.refund(
                registration=registration,
                refund_cents=difference,
                refund_id=str(charge.get("id")),
            )
            fully = refunded >= payment.amount_cents
            # A refused payment never bought the seat, so refunding it releases nothing.
            bought_the_seat = payment.status == Payment.Status.PAID
            if fully and bought_the_seat and registration.status == Registration.Status.CONFIRMED:
                from .cancellation import seat_release

                seat_release(registration=registration, status=Registration.Status.REFUNDED)
    return "refund recorded"


def _session_event(event: dict) -> str:
    session_id = event["data"]["object"].get("id")
    if not isinstance(session_id, str) or not session_id:
        return "no checkout session id"
    registration = registration_fulfill(checkout_session_id=session_id)
    return (
        f"registration {registration.reference}: {registration.status}"
        if registration
        else ("no registration")
    )


HANDLERS = {
    "checkout.session.completed": _session_event,
    "checkout.session.async_payment_succeeded": _session_event,
    "checkout.session.expired": _session_event,
    "checkout.session.async_payment_failed": _async_failed,
    "charge.refunded": _charge_refunded,
}


def stripe_event_process(*, event: dict) -> str:
    """Processes a verified event exactly once (DESIGN rule 4).

    The event row and everything the event changes commit together: if anything
    fails, nothing is kept and Stripe's retry starts afresh. Concurrent deliveries
    of one event wait on the row lock; the second finds it processed.
    """
    obj = event.get("data", {}).get("object", {})
    with transaction.atomic():
        record, _ = StripeEvent.objects.get_or_create(
            event_id=event["id"],
            defaults={
                "type": event.get("type", ""),
                "object_id": str(obj.get("id", ""))[:255],
                "payload": event,
            },
        )
        record = StripeEvent.objects.select_for_update().get(pk=record.pk)
        if record.processed_at is not None:
            return "duplicate"
        handler = HANDLERS.get(record.type)
        record.outcome = handler(event) if handler else "ignored"
        record.processed_at = timezone.now()
        record.save(update_fields=["outcome", "processed_at"])
        return record.outcome
