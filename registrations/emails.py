"""Every email the site sends, written to the outbox (DESIGN rule 5).

What each email says. Each function is called inside the transaction that makes
the change and writes its email(s) through the outbox's one writer
(outbox.services.write), idempotent by dedup key, which sends them once that
transaction commits. Each email about a registration carries its reference. Bodies
are rendered now, from templates/emails/<name>.txt and .html, so what was sent is
what the admin shows. Sensitive intake answers never reach an email.
"""

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from omwellness.money import format_money
from outbox import services as outbox
from outbox.models import OutboundEmail
from programs.calendar import program_calendar
from programs.models import Program, Session
from programs.schedule import long_day, schedule_summary, session_when

from .models import Payment, Registration, RegistrationLog, WaitlistEntry

ICS_MIMETYPE = "text/calendar"


class Kind:
    CONFIRMATION = "confirmation"
    PAYMENT_FAILED = "payment_failed"
    LATE_PAYMENT_REFUNDED = "late_payment_refunded"
    CANCELLATION = "cancellation"
    REFUND = "refund"
    REGISTRATION_LINK = "registration_link"
    WAITLIST_CONFIRM = "waitlist_confirm"
    WAITLIST_LINK = "waitlist_link"
    WAITLIST_JOINED = "waitlist_joined"
    WAITLIST_OFFER = "waitlist_offer"
    WAITLIST_OFFER_EXPIRED = "waitlist_offer_expired"
    FACILITATORS_NOTICE = "facilitators_notice"
    SCHEDULE_CHANGE = "schedule_change"
    MESSAGE = "message"
    REMINDER = "reminder"
    ANSWERS_REQUEST = "answers_request"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def render(*, template: str, context: dict) -> tuple[str, str]:
    """The plain-text and HTML bodies of templates/emails/<template>.txt and .html."""
    context = {"site_url": settings.SITE_URL, "home_url": absolute("/"), **context}
    text = render_to_string(f"emails/{template}.txt", context)
    # Template tags leave runs of empty lines; a plain-text email reads best with one.
    text = re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n")).strip() + "\n"
    return text, render_to_string(f"emails/{template}.html", context)


def queue(
    *,
    kind: str,
    dedup_key: str,
    recipient: str,
    subject: str,
    template: str,
    context: dict,
    registration: Registration | None = None,
    attachments: Sequence[dict] = (),
) -> OutboundEmail:
    """Renders one email and writes it to the outbox, which sends it after commit; the same
    key writes it once (and renders nothing the second time).

    `attachments`: [{"filename": ..., "content": <text>, "mimetype": ...}].
    """
    existing = OutboundEmail.objects.filter(dedup_key=dedup_key).first()
    if existing is not None:
        return existing
    body_text, body_html = render(template=template, context=context)
    return outbox.write(
        outbox.EmailDraft(
            kind=kind,
            dedup_key=dedup_key,
            recipient=recipient,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            attachments=tuple(attachments),
            reference=registration.reference if registration is not None else "",
        )
    )


# Links ---------------------------------------------------------------------------------


def _personal_url(registration: Registration, url_name: str) -> str:
    """A page of the registration; people without an account open it with their token,
    which the first visit trades for a cookie (registrations.access)."""
    url = absolute(reverse(url_name, kwargs={"reference": registration.reference}))
    if registration.user_id is None:
        url += f"?token={registration.access_token}"
    return url


def registration_url(registration: Registration) -> str:
    return _personal_url(registration, "registrations:detail")


def cancel_url(registration: Registration) -> str:
    return _personal_url(registration, "registrations:cancel")


def answers_url(registration: Registration) -> str:
    return _personal_url(registration, "registrations:answers")


def my_registrations_url() -> str:
    return absolute(reverse("registrations:list"))


def program_url(program: Program) -> str:
    return absolute(program.get_absolute_url())


# Shared pieces --------------------------------------------------------------------------


def _sessions(program: Program) -> list[Session]:
    return list(program.sessions.order_by("starts_at"))


def participant_meeting_link(program: Program) -> str:
    """The private link, for confirmed participants of online and hybrid programs only."""
    return program.meeting_link if program.is_online else ""


def calendar_attachment(*, program: Program, sessions: list[Session], meeting_link: str) -> dict:
    content = program_calendar(program=program, sessions=sessions, meeting_link=meeting_link)
    return {
        "filename": f"{program.slug}.ics",
        "content": content.decode(),
        "mimetype": ICS_MIMETYPE,
    }


def _program_context(program: Program, sessions: list[Session]) -> dict:
    starts_at = sessions[0].starts_at if sessions else None
    return {
        "program": program,
        "program_url": program_url(program),
        "sessions": [
            {"title": session.title, "when": session_when(session), "note": session.location_note}
            for session in sessions
        ],
        "schedule_summary": schedule_summary(sessions),
        "first_session_day": long_day(starts_at) if starts_at else "",
        "first_session_when": session_when(sessions[0]) if sessions else "",
        "venue": program.venue if program.format != Program.Format.ONLINE else "",
    }


def _registration_context(registration: Registration, sessions: list[Session]) -> dict:
    program = registration.program
    starts_at = sessions[0].starts_at if sessions else None
    refund_deadline = program.full_refund_deadline(starts_at)
    return {
        "registration": registration,
        "name": registration.name,
        "registration_url": registration_url(registration),
        "cancel_url": cancel_url(registration),
        "my_registrations_url": my_registrations_url(),
        "refund_days": program.refund_days_before_start,
        "refund_deadline": long_day(refund_deadline) if refund_deadline else "",
        **_program_context(program, sessions),
    }


def _when(moment: datetime | None) -> str:
    """'Wednesday, January 7, 2026 at 7:00 pm ET'."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    meridiem = "am" if local.hour < 12 else "pm"
    return f"{long_day(moment)} at {hour}:{local.minute:02d} {meridiem} ET"


def program_stay(registration: Registration) -> str:
    """Names the registration's program and which stay in it this is, for dedup keys.

    A transferred registration is confirmed again for its new program; a key without the
    program swallowed that email, and one with the program alone would swallow it when a
    registration comes back to a program it left (A, then B, then A again).
    """
    moves = registration.log.filter(action=RegistrationLog.TRANSFERRED).count()
    return f"{registration.program_id}.{moves}"


# The emails -----------------------------------------------------------------------------


def confirmation(*, registration: Registration) -> None:
    """On payment or a zero-amount confirm: what, when, where, paid, policy, and an .ics."""
    program = registration.program
    sessions = _sessions(program)
    meeting_link = participant_meeting_link(program)
    queue(
        kind=Kind.CONFIRMATION,
        dedup_key=f"confirmation:{registration.pk}:{program_stay(registration)}",
        recipient=registration.email,
        subject=f"You're registered: {program.title} ({registration.reference})",
        template="confirmation",
        context={
            **_registration_context(registration, sessions),
            "meeting_link": meeting_link,
            "amount_paid_cents": registration.amount_paid.net_cents,
        },
        registration=registration,
        attachments=[
            calendar_attachment(program=program, sessions=sessions, meeting_link=meeting_link)
        ],
    )


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
        subject=f"A few questions before {program.title} ({registration.reference})",
        template="answers_request",
        context={
            **_registration_context(registration, _sessions(program)),
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
        subject=f"Your payment did not go through: {program.title}",
        template="payment_failed",
        context={
            **_registration_context(registration, _sessions(program)),
            "hold_live": registration.hold_is_live(),
            "hold_expires": _when(registration.hold_expires_at),
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
        subject=f"We refunded your payment: {program.title} is full",
        template="late_payment_refunded",
        context={
            **_registration_context(registration, _sessions(program)),
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
        subject=f"Your registration is cancelled: {program.title} ({registration.reference})",
        template="cancellation",
        context={
            **_registration_context(registration, _sessions(program)),
            "refund_cents": refund_cents,
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
        subject=(
            f"Refund of {format_money(refund_cents)}: {program.title} ({registration.reference})"
        ),
        template="refund",
        context={
            **_registration_context(registration, _sessions(program)),
            "refund_cents": refund_cents,
        },
        registration=registration,
    )


def _minute(now: datetime | None) -> str:
    """A dedup key part for emails a person can ask for again: at most one a minute."""
    return timezone.localtime(now or timezone.now()).strftime("%Y%m%d%H%M")


def registration_link(*, registration: Registration, now: datetime | None = None) -> None:
    """Someone used this address on the registration form of a program it is already
    registered for: the owner gets the way back to their registration, and the page
    tells the person at the form only that an email was sent."""
    program = registration.program
    queue(
        kind=Kind.REGISTRATION_LINK,
        dedup_key=f"registration_link:{registration.pk}:{_minute(now)}",
        recipient=registration.email,
        subject=f"Your registration for {program.title} ({registration.reference})",
        template="registration_link",
        context=_registration_context(registration, _sessions(program)),
        registration=registration,
    )


def _entry_context(entry: WaitlistEntry) -> dict:
    return {
        "entry": entry,
        "name": entry.name,
        "entry_url": absolute(reverse("registrations:waitlist_entry", args=[entry.token])),
        **_program_context(entry.program, _sessions(entry.program)),
    }


def waitlist_joined(*, entry: WaitlistEntry) -> None:
    queue(
        kind=Kind.WAITLIST_JOINED,
        dedup_key=f"waitlist_joined:{entry.pk}",
        recipient=entry.email,
        subject=f"You're on the waitlist: {entry.program.title}",
        template="waitlist_joined",
        context=_entry_context(entry),
    )


def waitlist_confirm(*, entry: WaitlistEntry, now: datetime | None = None) -> None:
    """The link that confirms a new waitlist entry; sent again when the address is used
    to join again before it was opened."""
    queue(
        kind=Kind.WAITLIST_CONFIRM,
        dedup_key=f"waitlist_confirm:{entry.pk}:{_minute(now)}",
        recipient=entry.email,
        subject=f"Please confirm your place on the waitlist: {entry.program.title}",
        template="waitlist_confirm",
        context=_entry_context(entry),
    )


def waitlist_link(*, entry: WaitlistEntry, now: datetime | None = None) -> None:
    """The address is already on the waitlist and someone asked to join again: the
    owner gets their waitlist page."""
    queue(
        kind=Kind.WAITLIST_LINK,
        dedup_key=f"waitlist_link:{entry.pk}:{_minute(now)}",
        recipient=entry.email,
        subject=f"Your place on the waitlist: {entry.program.title}",
        template="waitlist_link",
        context=_entry_context(entry),
    )


def waitlist_offer(*, entry: WaitlistEntry) -> None:
    """A seat is held for this person until the deadline; the link is theirs alone."""
    accept_url = absolute(reverse("registrations:waitlist_accept", args=[entry.token]))
    stamp = entry.offer_expires_at.isoformat() if entry.offer_expires_at else "none"
    queue(
        kind=Kind.WAITLIST_OFFER,
        dedup_key=f"waitlist_offer:{entry.pk}:{stamp}",
        recipient=entry.email,
        subject=f"A seat is yours if you want it: {entry.program.title}",
        template="waitlist_offer",
        context={
            **_entry_context(entry),
            "accept_url": accept_url,
            "offer_expires": _when(entry.offer_expires_at),
        },
    )


def waitlist_offer_expired(*, entry: WaitlistEntry) -> None:
    queue(
        kind=Kind.WAITLIST_OFFER_EXPIRED,
        dedup_key=f"waitlist_offer_expired:{entry.pk}",
        recipient=entry.email,
        subject=f"Your seat offer has expired: {entry.program.title}",
        template="waitlist_offer_expired",
        context=_entry_context(entry),
    )


def facilitators_notice(*, registration: Registration, event: str) -> None:
    """Tells each facilitator with an account that someone registered or cancelled.

    Name and email only: intake answers stay in the roster, behind a login.
    """
    from .selectors import program_seats_left

    program = registration.program
    facilitators = program.facilitators.filter(user__isnull=False).select_related("user")
    seats_left = program_seats_left(program=program)
    confirmed = program.registrations.filter(status=Registration.Status.CONFIRMED).count()
    verb = "registered for" if event == "registered" else "cancelled"
    stay = program_stay(registration)
    for facilitator in facilitators:
        queue(
            kind=Kind.FACILITATORS_NOTICE,
            dedup_key=f"facilitators:{event}:{registration.pk}:{stay}:{facilitator.user_id}",
            recipient=facilitator.user.email,
            subject=f"{registration.name} {verb} {program.title}",
            template="facilitators_notice",
            context={
                "name": facilitator.name,
                "event": event,
                "participant_name": registration.name,
                "participant_email": registration.email,
                "program": program,
                "confirmed_count": confirmed,
                "seats_left": seats_left,
                "roster_url": absolute(reverse("facilitate:roster", kwargs={"slug": program.slug})),
            },
        )


def _confirmed_participants(program: Program) -> list[Registration]:
    return list(program.registrations.filter(status=Registration.Status.CONFIRMED).order_by("pk"))


def schedule_change(*, program: Program, changes: list) -> None:
    """Each confirmed participant: what changed, and an .ics with the same UIDs and a higher
    SEQUENCE so calendars move their events (DESIGN rule 7). `changes`: SessionChange list
    from programs.changes."""
    if not changes:
        return
    sessions = _sessions(program)
    meeting_link = participant_meeting_link(program)
    attachment = calendar_attachment(program=program, sessions=sessions, meeting_link=meeting_link)
    lines = [change.describe() for change in changes]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    for registration in _confirmed_participants(program):
        queue(
            kind=Kind.SCHEDULE_CHANGE,
            dedup_key=f"schedule_change:{registration.pk}:{digest}",
            recipient=registration.email,
            subject=f"Schedule change: {program.title}",
            template="schedule_change",
            context={
                **_registration_context(registration, sessions),
                "changes": lines,
                "meeting_link": meeting_link,
            },
            registration=registration,
            attachments=[attachment],
        )


def message_participants(*, program: Program, subject: str, body: str, sender) -> int:
    """A facilitator's message to every confirmed participant; returns how many.

    The same message sent twice on one day (a double click) goes out once.
    """
    sender_name = getattr(sender, "name", "") or "your facilitator"
    day = timezone.localdate().isoformat()
    digest = hashlib.sha256(
        f"{program.pk}\n{getattr(sender, 'pk', '')}\n{day}\n{subject}\n{body}".encode()
    ).hexdigest()[:16]
    participants = _confirmed_participants(program)
    for registration in participants:
        queue(
            kind=Kind.MESSAGE,
            dedup_key=f"message:{digest}:{registration.pk}",
            recipient=registration.email,
            subject=f"{subject} ({program.title})",
            template="message",
            context={
                "name": registration.name,
                "program": program,
                "program_url": program_url(program),
                "registration_url": registration_url(registration),
                "body": body,
                "sender_name": sender_name,
            },
            registration=registration,
        )
    return len(participants)
