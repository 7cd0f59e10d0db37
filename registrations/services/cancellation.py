"""Cancelling and refunding registrations. Transfers live in transfer.py."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omwellness.money import format_money
from registrations import emails
from registrations.models import Registration

from .errors import CancellationRefused
from .holds import checkout_sessions_expire, seat_release
from .log import registration_log
from .refunds import registration_refund


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

    Locks (availability's lock order): the registration and its payments, then the refunds
    at Stripe, then the program, only to offer the freed seat. So a slow Stripe holds up
    this registration alone, never other people registering for the program. A crash
    after Stripe refunded rolls everything back; the retry sends the same idempotency
    keys and gets the same refunds back, never second ones.

    A Stripe outage raises PaymentsUnavailable and changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
        if not registration.is_active:
            raise CancellationRefused(_("This registration is already cancelled."))
        paid = paid_cents(registration=registration)
        amount = (
            refund_quote(registration=registration, now=now)
            if refund_cents is None
            else refund_cents
        )
        if amount < 0 or amount > paid:
            raise CancellationRefused(f"The refund must be between $0 and {format_money(paid)}.")
        registration_refund(
            registration=registration,
            amount_cents=amount,
            reason=reason or "Cancelled",
            key=f"cancel-{registration.reference}",
            actor=actor,
        )
        was_confirmed = registration.status == Registration.Status.CONFIRMED
        status = (
            Registration.Status.REFUNDED
            if amount and amount == paid
            else Registration.Status.CANCELLED
        )
        # A hold being cancelled may have a checkout page open: it is made unpayable.
        open_sessions = seat_release(registration=registration, status=status, now=now)
        registration_log(
            registration=registration,
            actor=actor,
            action="cancelled",
            message=f"refund {format_money(amount)}" + (f"; {reason}" if reason else ""),
        )
        if was_confirmed:
            emails.cancellation(registration=registration, refund_cents=amount)
            emails.facilitators_notice(registration=registration, event="cancelled")
    checkout_sessions_expire(registration=registration, session_ids=open_sessions)
    return registration
