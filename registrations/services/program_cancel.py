"""Cancelling a whole program in one action: the program first, then each person.

1. `program_cancel_start` (the admin's request): the program's status becomes
   cancelled under its lock, so the page says "cancelled" and registration closes at
   once; the rest runs in the background (tasks.cancel_program).
2. `program_cancel_finish` (the task), each registration in its own transaction:
   - ended: the seat released (a hold's checkout pages made unpayable), the log says
     so, and the person gets the one email about the cancellation, which offers the
     next term when it is published;
   - refunded in full, through services/refunds.py with a key per payment, so a run
     after a crash half-way, or a second run, gets Stripe's same refund back and never
     a second one.
   Then the waitlist entries end, each told by the same one email per person.
3. A refund that fails at Stripe leaves its registration cancelled and awaiting its
   refund (`awaiting_refund`, shown on the program's admin page);
   `program_cancellations_resume` (a periodic job) tries again, and also finishes a
   cancellation whose task was lost.

The person is told at step 2 before the refund, not after it: a Stripe outage must not
keep people waiting to hear that their course will not run. Locks follow
availability's order: one registration, its refund at Stripe, then the program.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from omwellness.money import format_money
from programs.models import Program
from registrations import emails, payments
from registrations.models import Registration, RegistrationLog, WaitlistEntry

from .availability import program_lock
from .holds import checkout_sessions_expire, seat_release
from .log import registration_log
from .refunds import registration_refund

logger = logging.getLogger(__name__)

# The log action that marks a registration ended by its program's cancellation.
PROGRAM_CANCELLED = "program cancelled"


@dataclass(frozen=True)
class CancelProgress:
    """Where a program's cancellation stands, for the task's result and the admin."""

    ended: int  # registrations ended by the cancellation (confirmed and holds)
    refunded: int  # of those, refunded in full
    awaiting_refund: int  # money still to give back: Stripe refused or was down
    waitlist_ended: int

    def describe(self) -> str:
        text = (
            f"{self.ended} registration{'s' if self.ended != 1 else ''} ended, "
            f"{self.refunded} refunded in full, {self.waitlist_ended} waitlist "
            f"entr{'ies' if self.waitlist_ended != 1 else 'y'} ended"
        )
        if self.awaiting_refund:
            text += (
                f"; {self.awaiting_refund} still awaiting a refund (tried again every 10 minutes)"
            )
        return text


def awaiting_refund():
    """Registrations ended by their program's cancellation whose money is not yet back."""
    marked = RegistrationLog.objects.filter(registration=OuterRef("pk"), action=PROGRAM_CANCELLED)
    return (
        Registration.objects.with_amount_paid()
        .filter(status=Registration.Status.CANCELLED, paid_net_cents__gt=0)
        .filter(Exists(marked))
    )


def cancel_progress(*, program: Program) -> CancelProgress:
    ended = Registration.objects.filter(program=program, log__action=PROGRAM_CANCELLED)
    return CancelProgress(
        ended=ended.distinct().count(),
        refunded=ended.filter(status=Registration.Status.REFUNDED).distinct().count(),
        awaiting_refund=awaiting_refund().filter(program=program).count(),
        waitlist_ended=program.waitlist.filter(status=WaitlistEntry.Status.CLOSED).count(),
    )


def program_cancel_start(*, program_id: int, now=None) -> bool:
    """Marks the program cancelled; False when it already was by this action."""
    now = now or timezone.now()
    with transaction.atomic():
        program = program_lock(program_id=program_id, now=now)
        if program.cancelled_at is not None:
            return False
        program.status = Program.Status.CANCELLED
        program.cancelled_at = now
        program.save(update_fields=["status", "cancelled_at", "updated_at"])
    return True


def program_cancel_finish(*, program_id: int, actor=None, now=None) -> CancelProgress:
    """Ends, refunds and tells everyone of a program marked cancelled; safe to run again."""
    now = now or timezone.now()
    program = Program.objects.get(pk=program_id)
    if program.cancelled_at is None:
        raise ValueError(f"Program {program_id} was not cancelled by the cancel action.")
    active = Registration.objects.filter(
        program_id=program_id, status__in=Registration.ACTIVE_STATUSES
    ).order_by("pk")
    for pk in list(active.values_list("pk", flat=True)):
        _registration_end(registration_id=pk, actor=actor, now=now)
    _waitlist_end(program_id=program_id, now=now)
    owed = awaiting_refund().filter(program_id=program_id).order_by("pk")
    for pk in list(owed.values_list("pk", flat=True)):
        _registration_refund(registration_id=pk, actor=actor)
    return cancel_progress(program=program)


def program_cancellations_resume() -> int:
    """The periodic job: finishes cancellations left half-way (a lost task, a refund
    Stripe refused or could not take). Returns how many programs it went through."""
    unfinished = (
        Program.objects.filter(status=Program.Status.CANCELLED, cancelled_at__isnull=False)
        .filter(
            Exists(
                Registration.objects.filter(
                    program=OuterRef("pk"), status__in=Registration.ACTIVE_STATUSES
                )
            )
            | Exists(awaiting_refund().filter(program=OuterRef("pk")))
            | Exists(
                WaitlistEntry.objects.filter(
                    program=OuterRef("pk"), status__in=WaitlistEntry.ACTIVE_STATUSES
                )
            )
        )
        .values_list("pk", flat=True)
    )
    done = 0
    for program_id in list(unfinished):
        program_cancel_finish(program_id=program_id)
        done += 1
    return done


def _registration_end(*, registration_id: int, actor, now) -> None:
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("program")
            .get(pk=registration_id)
        )
        if not registration.is_active:
            return
        owed = registration.amount_paid.net_cents
        sessions = seat_release(
            registration=registration, status=Registration.Status.CANCELLED, now=now
        )
        registration_log(
            registration=registration,
            actor=actor,
            action=PROGRAM_CANCELLED,
            message=f"full refund of {format_money(owed)} follows" if owed else "nothing paid",
        )
        emails.program_cancelled(
            program=registration.program,
            name=registration.name,
            email=registration.email,
            registration=registration,
            refund_cents=owed,
        )
    checkout_sessions_expire(registration=registration, session_ids=sessions)


def _registration_refund(*, registration_id: int, actor) -> bool:
    try:
        with transaction.atomic():
            registration = Registration.objects.select_for_update(of=("self",)).get(
                pk=registration_id
            )
            owed = registration.amount_paid.net_cents
            if registration.status != Registration.Status.CANCELLED or owed <= 0:
                return False
            refunded = registration_refund(
                registration=registration,
                amount_cents=owed,
                reason="The program was cancelled: full refund",
                key=f"program-cancel-{registration.reference}",
                actor=actor,
            )
            registration.status = Registration.Status.REFUNDED
            registration.save(update_fields=["status", "updated_at"])
            registration_log(
                registration=registration,
                actor=actor,
                action="refunded",
                message=f"{format_money(refunded)}: the program was cancelled",
            )
        return True
    except (payments.PaymentsUnavailable, payments.PaymentsError) as error:
        with transaction.atomic():
            registration = Registration.objects.get(pk=registration_id)
            logger.warning("Refund of %s failed, tried again later: %s", registration, error)
            registration_log(
                registration=registration,
                action="refund failed",
                message=f"{error}; tried again every 10 minutes",
            )
        return False


def _waitlist_end(*, program_id: int, now) -> int:
    with transaction.atomic():
        program = program_lock(program_id=program_id, now=now)
        entries = list(
            WaitlistEntry.objects.select_for_update()
            .filter(program_id=program_id, status__in=WaitlistEntry.ACTIVE_STATUSES)
            .order_by("created_at", "id")
        )
        for entry in entries:
            entry.status = WaitlistEntry.Status.CLOSED
            entry.offer_expires_at = None
            entry.save(update_fields=["status", "offer_expires_at"])
            emails.program_cancelled(
                program=program, name=entry.name, email=entry.email, language=entry.language
            )
    return len(entries)
