"""Stripe's events, each processed once (DESIGN rule 4).

A checkout session's event goes to fulfilment.registration_fulfill, which fetches the
session again; the others (a delayed payment that failed, a refund) are recorded here.
"""

import logging

from django.db import transaction
from django.utils import timezone

from omwellness.money import format_money
from registrations import emails, signals
from registrations.models import Payment, Refund, Registration, StripeEvent

from .fulfilment import registration_fulfill
from .holds import seat_release
from .log import registration_log

logger = logging.getLogger(__name__)


def _payment_locked(**lookup) -> tuple[Registration, Payment] | None:
    """The payment found by `lookup` and its registration, both locked: the registration
    first (availability's lock order), since what the event changes may release the
    seat, which takes the program lock after both."""
    registration_id = (
        Payment.objects.filter(**lookup).values_list("registration_id", flat=True).first()
    )
    if registration_id is None:
        return None
    registration = Registration.objects.select_for_update().get(pk=registration_id)
    payment = Payment.objects.select_for_update().filter(**lookup).first()
    if payment is None:
        return None
    return registration, payment


def _async_failed(event: dict) -> str:
    session_id = event["data"]["object"].get("id")
    if not isinstance(session_id, str):
        return "no checkout session id"
    with transaction.atomic():
        locked = _payment_locked(checkout_session_id=session_id)
        if locked is None or locked[1].status == Payment.Status.FAILED:
            return "nothing to do"
        registration, payment = locked
        payment.status = Payment.Status.FAILED
        payment.save(update_fields=["status"])
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
        locked = _payment_locked(payment_intent_id=intent)
        if locked is None:
            return "unknown payment"
        registration, payment = locked
        if refunded <= payment.amount_refunded_cents:
            return "already known"
        if refunded > payment.amount_cents:
            logger.error("Charge %s refunds more than payment %s took", charge.get("id"), payment)
            return "refunded more than was paid: not recorded"
        known = sum(r.amount_cents for r in payment.refunds.exclude(status="failed"))
        difference = refunded - max(known, payment.amount_refunded_cents)
        refund = None
        if difference > 0:
            refund = Refund.objects.create(
                payment=payment,
                amount_cents=difference,
                reason="Refunded in Stripe",
                status="succeeded",
            )
        payment.amount_refunded_cents = refunded
        payment.save(update_fields=["amount_refunded_cents"])
        if refund is not None:
            signals.refund_recorded.send(sender=Refund, refund=refund)
        registration_log(
            registration=registration,
            action="refund recorded",
            message=f"{format_money(refunded)} refunded in all",
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
                # A confirmed registration has no open checkout page: nothing to expire.
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
