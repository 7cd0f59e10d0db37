"""How an email is written: its kind, its subject and bodies in the person's language
(outbox.rendering.compose), the outbox write, and the pieces of context most emails
share."""

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _

from omwellness.formatting import long_date, time_of_day
from outbox import rendering
from outbox import services as outbox
from outbox.models import OutboundEmail
from programs.calendar import program_calendar
from programs.models import Program, Session
from programs.schedule import schedule_summary, session_when
from registrations.models import Registration, RegistrationLog

from .links import cancel_url, my_registrations_url, program_url, registration_url

T = TypeVar("T")

ICS_MIMETYPE = "text/calendar"
# Facilitators' emails are in English, like their area of the site and the admin.
FACILITATORS_LANGUAGE = "en"


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
    PROGRAM_CANCELLED = "program_cancelled"
    MINIMUM_DECISION = "minimum_decision"
    APPLICATION_RECEIVED = "application_received"
    APPLICATION_TO_FACILITATORS = "application_to_facilitators"
    APPLICATION_APPROVED = "application_approved"
    APPLICATION_WAITLISTED = "application_waitlisted"
    APPLICATION_DECLINED = "application_declined"
    APPLICATION_CALL_FIRST = "application_call_first"
    APPROVAL_LAPSED = "approval_lapsed"


def queue(
    *,
    kind: str,
    dedup_key: str,
    recipient: str,
    language: str | None,
    subject: Callable[[], str],
    template: str,
    context: Callable[[], dict],
    registration: Registration | None = None,
    attachments: Callable[[], Sequence[dict]] | None = None,
) -> OutboundEmail:
    """Writes one email, in the person's `language` (the one stored on their registration,
    waitlist entry or account), to the outbox, which sends it after commit; the same key
    writes it once (and renders nothing the second time).

    `subject`, `context` and `attachments` are functions, called with `language` active
    so the program's title, dates and money read in it; `attachments` returns
    [{"filename": ..., "content": <text>, "mimetype": ...}].
    """
    existing = OutboundEmail.objects.filter(dedup_key=dedup_key).first()
    if existing is not None:
        return existing
    composed = rendering.compose(
        language=language,
        subject=subject,
        template=template,
        context=context,
        attachments=attachments,
    )
    return outbox.write(
        outbox.EmailDraft(
            kind=kind,
            dedup_key=dedup_key,
            recipient=recipient,
            subject=composed.subject,
            body_text=composed.body_text,
            body_html=composed.body_html,
            attachments=composed.attachments,
            reference=registration.reference if registration is not None else "",
        )
    )


def fixed(value: T) -> Callable[[], T]:
    """A subject or context composed already, for `queue`: for emails whose words do not
    depend on the language (the facilitators', in English)."""
    return lambda: value


def sessions_of(program: Program) -> list[Session]:
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


def program_context(program: Program, sessions: list[Session]) -> dict:
    starts_at = sessions[0].starts_at if sessions else None
    return {
        "program": program,
        "program_url": program_url(program),
        "sessions": [
            {"title": session.title, "when": session_when(session), "note": session.location_note}
            for session in sessions
        ],
        "schedule_summary": schedule_summary(sessions),
        "first_session_day": long_date(starts_at) if starts_at else "",
        "first_session_when": session_when(sessions[0]) if sessions else "",
        "venue": program.venue if program.format != Program.Format.ONLINE else "",
    }


def registration_context(registration: Registration, sessions: list[Session]) -> dict:
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
        "refund_deadline": long_date(refund_deadline) if refund_deadline else "",
        **program_context(program, sessions),
    }


def when(moment: datetime | None) -> str:
    """'Wednesday, January 7, 2026 at 7:00 pm ET' / 'mercredi 7 janvier 2026 à 19 h 00 HE'."""
    if moment is None:
        return ""
    # Translators: a deadline: "Wednesday, January 7, 2026 at 7:00 pm ET".
    return _("%(day)s at %(time)s ET") % {"day": long_date(moment), "time": time_of_day(moment)}


def program_stay(registration: Registration) -> str:
    """Names the registration's program and which stay in it this is, for dedup keys.

    A transferred registration is confirmed again for its new program; a key without the
    program swallowed that email, and one with the program alone would swallow it when a
    registration comes back to a program it left (A, then B, then A again).
    """
    moves = registration.log.filter(action=RegistrationLog.TRANSFERRED).count()
    return f"{registration.program_id}.{moves}"


def minute(now: datetime | None) -> str:
    """A dedup key part for emails a person can ask for again: at most one a minute."""
    return timezone.localtime(now or timezone.now()).strftime("%Y%m%d%H%M")


def confirmed_participants(program: Program) -> list[Registration]:
    # A participant whose personal data was erased (privacy) has no address left to write to.
    confirmed = program.registrations.filter(
        status=Registration.Status.CONFIRMED, erased_at__isnull=True
    )
    return list(confirmed.order_by("pk"))
