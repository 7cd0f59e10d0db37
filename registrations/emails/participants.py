"""What a participant is told about their own registration, and about a schedule change."""

import hashlib
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _

from omwellness.money import format_money
from omwellness.tax import TaxSettings
from programs.models import Program
from registrations.models import Payment, Registration

from .compose import (
    Kind,
    calendar_attachment,
    confirmed_participants,
    minute,
    participant_meeting_link,
    program_stay,
    queue,
    registration_context,
    sessions_of,
    when,
)
from .links import answers_url, program_url, receipt_url


def confirmation(*, registration: Registration) -> None:
    """On payment or a zero-amount confirm: what, when, where, paid, policy, and an .ics."""
    program = registration.program
    sessions = sessions_of(program)
    meeting_link = participant_meeting_link(program)
    queue(
        kind=Kind.CONFIRMATION,
        dedup_key=f"confirmation:{registration.pk}:{program_stay(registration)}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: (
            _("You're registered: %(program)s (%(reference)s)")
            % {"program": program.title, "reference": registration.reference}
        ),
        template="confirmation",
        context=lambda: {
            **registration_context(registration, sessions),
            "meeting_link": meeting_link,
            "amount_paid_cents": registration.amount_paid.net_cents,
            "tax_name": TaxSettings.current().name if registration.tax_cents else "",
            "receipts": _receipts(registration),
        },
        registration=registration,
        attachments=lambda: [
            calendar_attachment(program=program, sessions=sessions, meeting_link=meeting_link)
        ],
    )


def _receipts(registration: Registration, *, credit_notes_only: bool = False) -> list[dict]:
    """The registration's numbered receipts or its credit notes (the receipts app's, by
    relation name and kind), each with the address of its PDF."""
    documents = registration.receipts.order_by("number")
    if credit_notes_only:
        documents = documents.filter(kind="credit_note")
    return [
        {
            "label": str(document),  # "Receipt 000042"
            "url": receipt_url(registration, document.number),
        }
        for document in documents
    ]


def answers_request(*, registration: Registration, previous_program: Program) -> None:
    """After a transfer: asks for the new program's intake answers with a link to the form.

    The answers given for the previous program were deleted, not passed on (DESIGN rule
    10); the email says so, and carries no question or answer.
    """
    program = registration.program
    queue(
        kind=Kind.ANSWERS_REQUEST,
        dedup_key=f"answers_request:{registration.pk}:{program_stay(registration)}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: (
            _("A few questions before %(program)s (%(reference)s)")
            % {"program": program.title, "reference": registration.reference}
        ),
        template="answers_request",
        context=lambda: {
            **registration_context(registration, sessions_of(program)),
            "previous_program": previous_program,
            "answers_url": answers_url(registration),
        },
        registration=registration,
    )


def payment_failed(*, registration: Registration) -> None:
    """An asynchronous payment failed; the seat is held until the hold expires."""
    program = registration.program
    failed = registration.payments.filter(status=Payment.Status.FAILED).order_by("-pk").first()
    queue(
        kind=Kind.PAYMENT_FAILED,
        dedup_key=f"payment_failed:{registration.pk}:{failed.pk if failed else 'none'}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: (
            _("Your payment did not go through: %(program)s") % {"program": program.title}
        ),
        template="payment_failed",
        context=lambda: {
            **registration_context(registration, sessions_of(program)),
            "hold_live": registration.hold_is_live(),
            "hold_expires": when(registration.hold_expires_at),
        },
        registration=registration,
    )


def late_payment_refunded(*, registration: Registration, refund_cents: int) -> None:
    """Paid after the hold expired and the program filled up: refunded in full."""
    program = registration.program
    queue(
        kind=Kind.LATE_PAYMENT_REFUNDED,
        dedup_key=f"late_payment_refunded:{registration.pk}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: (
            _("We refunded your payment: %(program)s is full") % {"program": program.title}
        ),
        template="late_payment_refunded",
        context=lambda: {
            **registration_context(registration, sessions_of(program)),
            "refund_cents": refund_cents,
            "join_waitlist_url": program_url(program),
        },
        registration=registration,
    )


def cancellation(*, registration: Registration, refund_cents: int) -> None:
    program = registration.program
    queue(
        kind=Kind.CANCELLATION,
        dedup_key=f"cancellation:{registration.pk}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: (
            _("Your registration is cancelled: %(program)s (%(reference)s)")
            % {"program": program.title, "reference": registration.reference}
        ),
        template="cancellation",
        context=lambda: {
            **registration_context(registration, sessions_of(program)),
            "refund_cents": refund_cents,
            "receipts": _receipts(registration, credit_notes_only=True),
        },
        registration=registration,
    )


def refund(*, registration: Registration, refund_cents: int, refund_id: str) -> None:
    """A refund made after the fact: by staff in the admin or in Stripe's dashboard."""
    program = registration.program
    queue(
        kind=Kind.REFUND,
        dedup_key=f"refund:{refund_id}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: (
            _("Refund of %(amount)s: %(program)s (%(reference)s)")
            % {
                "amount": format_money(refund_cents),
                "program": program.title,
                "reference": registration.reference,
            }
        ),
        template="refund",
        context=lambda: {
            **registration_context(registration, sessions_of(program)),
            "refund_cents": refund_cents,
            "receipts": _receipts(registration, credit_notes_only=True),
        },
        registration=registration,
    )


def registration_link(*, registration: Registration, now: datetime | None = None) -> None:
    """Someone used this address on the registration form of a program it is already
    registered for: the owner gets the way back to their registration, and the page
    tells the person at the form only that an email was sent."""
    program = registration.program
    queue(
        kind=Kind.REGISTRATION_LINK,
        dedup_key=f"registration_link:{registration.pk}:{minute(now)}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: (
            _("Your registration for %(program)s (%(reference)s)")
            % {"program": program.title, "reference": registration.reference}
        ),
        template="registration_link",
        context=lambda: registration_context(registration, sessions_of(program)),
        registration=registration,
    )


def schedule_change(*, program: Program, changes: list) -> None:
    """Each confirmed participant: what changed, and an .ics with the same UIDs and a higher
    SEQUENCE so calendars move their events (DESIGN rule 7). `changes`: SessionChange list
    from programs.changes."""
    if not changes:
        return
    sessions = sessions_of(program)
    meeting_link = participant_meeting_link(program)
    # The digest names the change itself, whatever language each person reads it in.
    with translation.override("en"):
        lines = "\n".join(change.describe() for change in changes)
    digest = hashlib.sha256(lines.encode()).hexdigest()[:16]
    for registration in confirmed_participants(program):
        _schedule_change_to(
            registration,
            program=program,
            sessions=sessions,
            changes=changes,
            meeting_link=meeting_link,
            digest=digest,
        )


def _schedule_change_to(
    registration: Registration,
    *,
    program: Program,
    sessions: list,
    changes: list,
    meeting_link: str,
    digest: str,
) -> None:
    """One participant's schedule-change email and calendar file, in their language."""
    queue(
        kind=Kind.SCHEDULE_CHANGE,
        dedup_key=f"schedule_change:{registration.pk}:{digest}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: _("Schedule change: %(program)s") % {"program": program.title},
        template="schedule_change",
        context=lambda: {
            **registration_context(registration, sessions),
            "changes": [change.describe() for change in changes],
            "meeting_link": meeting_link,
        },
        registration=registration,
        attachments=lambda: [
            calendar_attachment(program=program, sessions=sessions, meeting_link=meeting_link)
        ],
    )
