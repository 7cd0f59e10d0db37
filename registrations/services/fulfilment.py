"""Turning Stripe's word into seats (DESIGN rule 3).

`registration_fulfill` is the one idempotent path from a paid Checkout Session to a
confirmed seat: the webhook and the success page both call it, in any order, any
number of times. The session is always fetched again from Stripe; an event is
only a trigger.
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from omwellness.money import format_money
from registrations import emails, payments, signals
from registrations.models import Payment, Registration, Switch

from .availability import program_lock, seats_free
from .holds import registration_confirm, seat_release
from .log import registration_log
from .refunds import refund_payment
from .switch import switch_paid, switch_payment_expired

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
        # The difference of a switch to another term (services/switch.py), locked after
        # its registration as the lock order says.
        switch = None
        if payment is not None:
            switch = Switch.objects.select_for_update().filter(payment=payment).first()
        refusal = _refusal(
            session=session, registration=registration, payment=payment, switch=switch
        )
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
        if switch is not None:
            _switch_settle(
                registration=registration, payment=payment, session=session, switch=switch
            )
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
    *,
    session: payments.CheckoutSession,
    registration: Registration,
    payment: Payment | None,
    switch: Switch | None = None,
) -> str | None:
    """Why this session may not pay for this registration; None when it is the one we asked for."""
    if payment is None:
        if session.payment_link_id:
            return "paid through a Payment Link, not a checkout the site opened"
        return "paid in a checkout session the site did not open for this registration"
    program, due = registration.program, registration.amount_due_cents
    if switch is not None:
        program, due = switch.to_program, switch.difference_cents
    asked = {"registration": registration.reference, "program": program.slug}
    if session.client_reference_id != registration.reference or any(
        session.metadata.get(key) != value for key, value in asked.items()
    ):
        return "the checkout session's details do not match the registration"
    if session.currency != "cad":
        return f"paid in {session.currency.upper() or 'an unknown currency'}, not CAD"
    if session.amount_total != due:
        return f"{format_money(session.amount_total)} paid where {format_money(due)} was due"
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
    amount = format_money(session.amount_total, session.currency)
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
    _mark_paid(registration=registration, payment=payment, session=session, now=now)
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
    if _late_seat(registration=registration, now=now):
        return
    _refund_unwanted(registration, payment, "paid after the hold expired and the program was full")
    registration.status = Registration.Status.REFUNDED
    registration.save(update_fields=["status", "updated_at"])
    emails.late_payment_refunded(registration=registration, refund_cents=payment.amount_cents)


def _mark_paid(
    *, registration: Registration, payment: Payment, session: payments.CheckoutSession, now
) -> None:
    payment.status = Payment.Status.PAID
    payment.payment_intent_id = session.payment_intent_id
    payment.paid_at = now
    payment.amount_cents = session.amount_total
    payment.save(update_fields=["status", "payment_intent_id", "paid_at", "amount_cents"])
    signals.payment_recorded.send(sender=Payment, payment=payment)
    registration_log(
        registration=registration,
        action="paid",
        message=f"{format_money(payment.amount_cents)}, {session.id}",
    )


def _switch_settle(
    *,
    registration: Registration,
    payment: Payment,
    session: payments.CheckoutSession,
    switch: Switch,
) -> None:
    """The difference of a switch: paid completes the switch (or is refunded in full when
    it cannot complete); an expired checkout gives the held seat back. The registration
    stays as it was until the switch completes."""
    now = timezone.now()
    if session.payment_status == "paid":
        _mark_paid(registration=registration, payment=payment, session=session, now=now)
        why = switch_paid(registration=registration, switch=switch, now=now)
        if why:
            _refund_unwanted(registration, payment, why)
    elif session.status == "complete":
        _processing(registration=registration, payment=payment, session=session)
    elif session.status == "expired":
        if payment.status == Payment.Status.OPEN:
            payment.status = Payment.Status.EXPIRED
            payment.save(update_fields=["status"])
        switch_payment_expired(switch=switch, now=now)


class _NoSeatFree(Exception):
    pass


def _late_seat(*, registration: Registration, now) -> bool:
    """Confirms a payment that landed after its hold expired, if a seat is free.

    The program lock is taken in a savepoint. When no seat is free (or the same email
    registered again meanwhile), rolling the savepoint back gives the lock back, so the
    refund that follows goes to Stripe with no program row locked (availability's lock
    order): on PostgreSQL a rolled-back savepoint releases the row locks taken in it.
    """
    try:
        with transaction.atomic():
            program = program_lock(program_id=registration.program_id, now=now)
            if seats_free(program=program, now=now) <= 0:
                raise _NoSeatFree
            registration_confirm(
                registration=registration,
                now=now,
                reason="paid after the hold expired; a seat was free",
            )
        return True
    except _NoSeatFree:
        return False
    except IntegrityError:
        # The same email registered again meanwhile: refund this one.
        logger.warning(
            "Late payment for %s refunded: the email has another active registration",
            registration.reference,
        )
        return False


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
    """Stripe expired the session: the site's record says so, and the hold ends with it
    unless another checkout of the registration may still be paid. The session is
    already expired at Stripe, so nothing is sent there."""
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
        seat_release(
            registration=registration,
            status=Registration.Status.EXPIRED,
            now=now,
            reason="checkout expired",
        )
