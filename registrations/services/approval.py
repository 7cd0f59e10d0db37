"""Screening before payment: a program that requires approval takes applications.

An application (status applied, or call_first once a facilitator asked to phone first)
holds no seat and charges nothing. A facilitator of the program, or staff with
`registrations.review_application`, decides it:

- approve: under the program lock, a free seat becomes a hold of the program's
  `approval_hold_days` (a pending registration with `approved_at` set), so the seat
  count, "continue payment", Checkout and fulfilment work as for any hold; the person
  is emailed the link to pay. With no seat free, the person joins the waitlist,
  already confirmed, and is told so. An unpaid approval lapses through the stale-hold
  job (holds.holds_expire_stale), which frees the seat and offers it on.
- decline, with an optional kind message;
- call first: the person is told a facilitator will phone before deciding.

Each step writes the registration's log and one email; none of them calls Stripe.
Locks follow availability's order: the registration, then the program, then its
waitlist entries.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from omwellness.money import format_money
from programs.models import Program
from registrations import emails
from registrations.models import DiscountCode, Registration, RegistrationLog, WaitlistEntry

from .availability import program_lock, seats_free
from .errors import ApplicationDecided, DiscountCodeInvalid
from .holds import registration_confirm
from .log import registration_log
from .terms import HOLD, amount_due, discount_check


@dataclass(frozen=True)
class Decision:
    """What an approval did: held a seat until `hold_expires_at`, or put the person on
    the waitlist (`waitlisted`)."""

    registration: Registration
    waitlisted: bool
    hold_expires_at: datetime | None


def application_received(*, registration: Registration, now: datetime) -> None:
    """Logs the new application and tells the applicant and the program's facilitators.
    Called by registration_create, inside its transaction."""
    registration_log(
        registration=registration,
        action=RegistrationLog.APPLIED,
        message=f"{registration.price_label}, {format_money(registration.amount_due_cents)} "
        "due once approved",
    )
    emails.application_received(registration=registration)
    emails.application_to_facilitators(registration=registration)


def _open_application(registration: Registration) -> Registration:
    """The application, locked; ApplicationDecided when it is no longer open."""
    locked = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    if locked.status not in Registration.APPLICATION_STATUSES:
        raise ApplicationDecided(
            f"This application was already decided: {locked.get_status_display().lower()}."
        )
    return locked


def _hold_until(*, program: Program, now: datetime) -> datetime:
    """The approval's hold: the program's days, never past its first session, and never
    shorter than a Checkout hold."""
    until = now + timedelta(days=program.approval_hold_days)
    if program.first_starts_at is not None:
        until = min(until, program.first_starts_at)
    return max(until, now + HOLD)


def application_approve(*, registration: Registration, actor=None, now=None) -> Decision:
    """Approves an open application onto a seat if one is free, else onto the waitlist.

    Two facilitators approving the last seat at once: both lock their own application,
    then wait in turn for the program lock, which recounts the seats; the second finds
    none free and puts its applicant on the waitlist.
    """
    now = now or timezone.now()
    with transaction.atomic():
        registration = _open_application(registration)
        program = program_lock(program_id=registration.program_id, now=now)
        if program.status != Program.Status.PUBLISHED or (
            program.first_starts_at is not None and program.first_starts_at <= now
        ):
            raise ApplicationDecided("This program has started or is no longer published.")
        registration.approved_at = now
        if seats_free(program=program, now=now) <= 0:
            _onto_waitlist(registration=registration, program=program, actor=actor, now=now)
            return Decision(registration=registration, waitlisted=True, hold_expires_at=None)
        _discount_recheck(registration=registration, program=program, now=now, actor=actor)
        registration.status = Registration.Status.PENDING
        registration.hold_expires_at = _hold_until(program=program, now=now)
        registration.save(
            update_fields=[
                "status",
                "approved_at",
                "hold_expires_at",
                "discount_code",
                "amount_due_cents",
                "tax_cents",
                "updated_at",
            ]
        )
        registration_log(
            registration=registration,
            action=RegistrationLog.APPROVED,
            message=f"seat held until {emails.when(registration.hold_expires_at)}",
            actor=actor,
        )
        if registration.amount_due_cents == 0:
            registration_confirm(registration=registration, now=now, reason="nothing due")
        else:
            emails.application_approved(registration=registration)
        return Decision(
            registration=registration,
            waitlisted=False,
            hold_expires_at=registration.hold_expires_at,
        )


def _discount_recheck(*, registration: Registration, program: Program, now, actor) -> None:
    """An application holds no seat, so its discount code was not yet counted against
    the code's use limit; the approval's seat is. Checked again under the program lock
    (the code's lock comes after it, in availability's order). A code that is used up or
    no longer valid falls away, and the fee is the price's, as the approval email says."""
    if registration.discount_code_id is None or registration.price_option is None:
        return
    discount = DiscountCode.objects.select_for_update().filter(pk=registration.discount_code_id)
    code = discount.first()
    try:
        if code is None:
            raise DiscountCodeInvalid("The discount code no longer exists.")
        discount_check(discount=code, now=now)
    except DiscountCodeInvalid as refusal:
        due = amount_due(price_option=registration.price_option, discount=None, program=program)
        registration_log(
            registration=registration,
            action="discount code dropped",
            message=f"{refusal} {format_money(registration.amount_due_cents)} before, "
            f"{format_money(due.total_cents)} now",
            actor=actor,
        )
        registration.discount_code = None
        registration.amount_due_cents = due.total_cents
        registration.tax_cents = due.tax_cents


def _onto_waitlist(*, registration: Registration, program: Program, actor, now) -> None:
    """The program is full: the approved person waits in line, already confirmed (their
    address is the one they applied with), and is offered the next free seat."""
    registration.status = Registration.Status.WAITLISTED
    registration.save(update_fields=["status", "approved_at", "updated_at"])
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                program=program,
                user=registration.user,
                name=registration.name,
                email=registration.email,
                language=registration.language,
                status=WaitlistEntry.Status.WAITING,
                created_at=now,
            )
    except IntegrityError:
        # Already in line with this address: that place is kept.
        entry = WaitlistEntry.objects.select_for_update().get(
            program=program,
            email__iexact=registration.email,
            status__in=WaitlistEntry.ACTIVE_STATUSES,
        )
        if entry.status == WaitlistEntry.Status.UNCONFIRMED:
            entry.status = WaitlistEntry.Status.WAITING  # the approval stands for the link
            entry.save(update_fields=["status"])
    registration_log(
        registration=registration,
        action=RegistrationLog.APPROVED_WAITLISTED,
        message="the program was full",
        actor=actor,
    )
    emails.application_waitlisted(registration=registration, entry=entry)


def application_decline(
    *, registration: Registration, actor=None, message: str = "", now=None
) -> Registration:
    """Declines an open application; `message` is passed on to the person as written."""
    now = now or timezone.now()
    message = message.strip()
    with transaction.atomic():
        registration = _open_application(registration)
        registration.status = Registration.Status.DECLINED
        registration.cancelled_at = now
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        registration_log(
            registration=registration,
            action=RegistrationLog.DECLINED,
            message="with a message" if message else "",
            actor=actor,
        )
        emails.application_declined(registration=registration, message=message)
    return registration


def application_call_first(*, registration: Registration, actor=None) -> Registration:
    """A facilitator will phone the person before deciding; the application stays open."""
    with transaction.atomic():
        registration = _open_application(registration)
        if registration.status == Registration.Status.CALL_FIRST:
            return registration
        registration.status = Registration.Status.CALL_FIRST
        registration.save(update_fields=["status", "updated_at"])
        registration_log(registration=registration, action=RegistrationLog.CALL_FIRST, actor=actor)
        emails.application_call_first(registration=registration)
    return registration
