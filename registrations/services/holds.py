"""A hold becomes a seat, or ends and frees its seat: the one way to do each.

seat_release is the one service that frees a seat (a hold expired or left, a
cancellation, a refund): it sets the status, makes the site's open checkout pages
unpayable, and offers the seat to the waitlist. The Checkout Sessions it returns are
expired at Stripe after the transaction, by checkout_sessions_expire.
"""

import logging

from django.db import transaction
from django.utils import timezone

from mailing import services as mailing
from registrations import emails, payments
from registrations.models import Payment, Registration, RegistrationLog

from .log import registration_log
from .waitlist import waitlist_offer_free_seats

logger = logging.getLogger(__name__)


def registration_confirm(*, registration: Registration, now=None, reason: str = "") -> None:
    """Confirms the seat and sends the confirmation. Call inside a transaction."""
    now = now or timezone.now()
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = now
    registration.hold_expires_at = None
    registration.save(update_fields=["status", "confirmed_at", "hold_expires_at", "updated_at"])
    registration_log(registration=registration, action="confirmed", message=reason)
    # A consent ticked on the form counts once the registration does (mailing.services).
    mailing.consent_confirm_for_registration(reference=registration.reference, now=now)
    emails.confirmation(registration=registration)
    emails.facilitators_notice(registration=registration, event="registered")


def seat_release(
    *, registration: Registration, status: str, now=None, reason: str = "", offer_seat: bool = True
) -> list[str]:
    """Frees the registration's seat and returns the Checkout Sessions to expire at
    Stripe once the transaction has committed (checkout_sessions_expire).

    Call inside a transaction, with the registration locked: the program lock is taken
    after it (availability's lock order), to offer the seat to the waitlist. An expired
    hold keeps the time it ended; any other end of a registration is its cancellation.
    `offer_seat` is False only where the caller takes the seat itself (a new attempt
    replacing a lapsed hold of the same person).
    """
    now = now or timezone.now()
    registration.status = status
    fields = ["status", "hold_expires_at", "updated_at"]
    if status == Registration.Status.EXPIRED:
        registration.hold_expires_at = min(registration.hold_expires_at or now, now)
    else:
        registration.hold_expires_at = None
        registration.cancelled_at = now
        fields.append("cancelled_at")
    registration.save(update_fields=fields)
    if status == Registration.Status.EXPIRED:
        registration_log(registration=registration, action="hold released", message=reason)
    open_payments = registration.payments.filter(status=Payment.Status.OPEN)
    sessions = list(open_payments.values_list("checkout_session_id", flat=True))
    open_payments.update(status=Payment.Status.EXPIRED)
    if offer_seat:
        waitlist_offer_free_seats(program_id=registration.program_id, now=now)
    return sessions


def checkout_sessions_expire(*, registration: Registration, session_ids: list[str]) -> None:
    """Makes the sessions unpayable at Stripe. Call after the transaction: never a call
    to Stripe under a program lock. An outage is logged and passed over: Stripe
    expires each session on its own at its expires_at, and a payment that still lands
    is confirmed or refunded by fulfilment (DESIGN rule 3)."""
    for session_id in session_ids:
        try:
            payments.checkout_session_expire(session_id)
        except payments.PaymentsUnavailable:
            logger.warning(
                "Checkout session %s of %s could not be expired at Stripe; it expires there "
                "by itself",
                session_id,
                registration.reference,
            )


def holds_expire_stale(*, now=None) -> int:
    """Expires pending holds whose time is up and their Checkout Sessions (rule 2).

    Each registration is re-read under lock, so a payment that lands at the same
    moment wins: fulfilment confirms it or refunds it (rule 3).
    """
    now = now or timezone.now()
    stale = Registration.objects.filter(
        status=Registration.Status.PENDING, hold_expires_at__lte=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(stale):
        with transaction.atomic():
            registration = Registration.objects.select_for_update().get(pk=pk)
            if registration.status != Registration.Status.PENDING or registration.hold_is_live(now):
                continue
            if registration.payments.filter(status=Payment.Status.PROCESSING).exists():
                continue  # a delayed payment is on its way: keep the seat until it settles
            sessions = seat_release(
                registration=registration,
                status=Registration.Status.EXPIRED,
                now=now,
                reason="hold expired",
            )
            if registration.approved_at is not None:
                # The approval's seat went on; the person is told, and may still pay
                # from their registration page while a seat is free.
                registration_log(registration=registration, action=RegistrationLog.APPROVAL_LAPSED)
                emails.approval_lapsed(registration=registration)
            expired += 1
        checkout_sessions_expire(registration=registration, session_ids=sessions)
    return expired


def checkout_cancelled(*, registration: Registration, now=None) -> None:
    """The person left Stripe Checkout: release the seat and make the page unpayable."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.PENDING:
            return
        if registration.approved_at is not None and registration.hold_is_live(now):
            # An approval holds its seat for days: leaving the payment page keeps it, and
            # the person can pay later from their registration page.
            return
        if registration.payments.filter(
            status__in=[Payment.Status.PAID, Payment.Status.PROCESSING]
        ).exists():
            return
        sessions = seat_release(
            registration=registration,
            status=Registration.Status.EXPIRED,
            now=now,
            reason="left checkout",
        )
    checkout_sessions_expire(registration=registration, session_ids=sessions)
