"""Which reminders are due, computed from the current session dates (DESIGN rule 6).

Never queued as ETA tasks at registration time: a periodic scan asks, for every
confirmed registration of a program that has not started, which reminder moments
have passed. A moved date changes the moments, and the dedup key carries the
session's date, so the reminder follows the new date and one date never sends
twice. Someone who registered after a reminder's moment does not get it, and
nothing is sent once the session has begun.

One scan reads in a constant number of queries, however many people registered.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from omwellness.formatting import long_date
from omwellness.models import Centre
from outbox import rendering
from outbox import services as outbox
from outbox.models import OutboundEmail
from programs.models import Program, Session
from programs.schedule import session_when

from . import emails
from .models import Registration

# Day-before reminders arrive in the morning, local time, whatever the session's hour.
ADVANCE_REMINDER_AT = time(9, 0)
# Session-day reminders for online programs, with the link, a few hours ahead.
SESSION_DAY_LEAD = timedelta(hours=3)
FIRST_SESSION = "start"
SESSION_DAY = "day"


@dataclass(frozen=True)
class ReminderMoment:
    """One reminder of one program, before anyone is matched to it."""

    session: Session
    label: str  # FIRST_SESSION or SESSION_DAY
    offset: str  # days before, or SESSION_DAY
    moment: datetime

    def dedup_key(self, registration_id: int) -> str:
        local_start = timezone.localtime(self.session.starts_at).date().isoformat()
        target = FIRST_SESSION if self.label == FIRST_SESSION else self.session.pk
        return f"reminder:{registration_id}:{target}:{self.offset}:{local_start}"


def advance_moment(*, starts_at: datetime, days: int) -> datetime:
    """9:00 am Toronto time `days` calendar days before the session, across DST changes."""
    zone = timezone.get_default_timezone()
    local_day = timezone.localtime(starts_at).date() - timedelta(days=days)
    moment = datetime.combine(local_day, ADVANCE_REMINDER_AT, tzinfo=zone)
    return min(moment, starts_at - SESSION_DAY_LEAD)


def program_reminder_moments(*, program: Program, sessions: list[Session]) -> list[ReminderMoment]:
    """Every reminder the program's schedule calls for, passed or not."""
    if not sessions:
        return []
    first = sessions[0]
    on_session_day = program.remind_on_session_day and program.is_online
    moments = [
        ReminderMoment(
            first, FIRST_SESSION, str(days), advance_moment(starts_at=first.starts_at, days=days)
        )
        for days in program.reminder_offsets
        # The session-day reminder already covers "today" when it is on.
        if not (days == 0 and on_session_day)
    ]
    if on_session_day:
        moments += [
            ReminderMoment(session, SESSION_DAY, SESSION_DAY, session.starts_at - SESSION_DAY_LEAD)
            for session in sessions
        ]
    return moments


def due_moments(*, program: Program, sessions: list[Session], now: datetime) -> list:
    """The reminders whose moment has passed and whose session has not begun.

    Of the reminders before the first session only the latest passed one is due:
    after a scan outage or a date moved earlier, nobody gets "one week to go" and
    "tomorrow" at once.
    """
    passed = [
        moment
        for moment in program_reminder_moments(program=program, sessions=sessions)
        if moment.moment <= now < moment.session.starts_at
    ]
    before_first = [m for m in passed if m.session.pk == sessions[0].pk]
    latest_first = max(before_first, key=lambda m: m.moment, default=None)
    return [m for m in passed if m.session.pk != sessions[0].pk or m is latest_first]


@dataclass(frozen=True)
class DueReminder:
    registration: Registration
    reminder: ReminderMoment
    dedup_key: str


def due_reminders(*, now: datetime | None = None) -> list[DueReminder]:
    """Reminders due now and not yet written; four queries, whatever the numbers."""
    now = now or timezone.now()
    programs = list(
        Program.objects.filter(status=Program.Status.PUBLISHED, sessions__starts_at__gt=now)
        .distinct()
        .order_by("pk")
    )
    sessions_by_program: dict[int, list[Session]] = defaultdict(list)
    for session in Session.objects.filter(program__in=[p.pk for p in programs]).order_by(
        "starts_at", "pk"
    ):
        sessions_by_program[session.program_id].append(session)

    due_by_program = {}
    for program in programs:
        due = due_moments(program=program, sessions=sessions_by_program[program.pk], now=now)
        if due:
            due_by_program[program.pk] = (program, due)
    if not due_by_program:
        return []

    registrations = (
        Registration.objects.filter(
            program_id__in=list(due_by_program), status=Registration.Status.CONFIRMED
        )
        .only(
            "pk",
            "program_id",
            "user_id",
            "reference",
            "name",
            "email",
            "access_token",
            "confirmed_at",
            "created_at",
            "status",
        )
        .order_by("pk")
    )
    earliest = min(m.moment for _, due in due_by_program.values() for m in due)
    already_written = set(
        OutboundEmail.objects.filter(
            kind=emails.Kind.REMINDER,
            reference__in=registrations.values("reference"),
            created_at__gte=earliest,
        ).values_list("dedup_key", flat=True)
    )
    result = []
    for registration in registrations:
        program, due = due_by_program[registration.program_id]
        registration.program = program
        confirmed_at = registration.confirmed_at or registration.created_at
        for reminder in due:
            key = reminder.dedup_key(registration.pk)
            # Late registrants skip a reminder whose moment passed before they joined.
            if confirmed_at <= reminder.moment and key not in already_written:
                result.append(DueReminder(registration, reminder, key))
    return result


def _headline(reminder: ReminderMoment, now: datetime) -> str:
    """The reminder's first line, in the active language."""
    starts_at = reminder.session.starts_at
    days = (timezone.localtime(starts_at).date() - timezone.localdate(now)).days
    if days <= 0:
        return _("Today: %(session)s") % {"session": reminder.session.title}
    if reminder.label == SESSION_DAY:
        return _("Coming up: %(session)s") % {"session": reminder.session.title}
    if days == 1:
        return _("Tomorrow: your program begins")
    if days % 7 == 0:
        weeks = days // 7
        return ngettext(
            "%(count)s week to go: your program begins %(day)s",
            "%(count)s weeks to go: your program begins %(day)s",
            weeks,
        ) % {"count": weeks, "day": long_date(starts_at)}
    return _("%(count)s days to go: your program begins %(day)s") % {
        "count": days,
        "day": long_date(starts_at),
    }


def reminder_email(
    *, due: DueReminder, now: datetime, sender: Centre | None = None
) -> outbox.EmailDraft:
    """One reminder, written in the registration's language."""
    registration, reminder = due.registration, due.reminder
    program = registration.program
    session = reminder.session

    def context() -> dict:
        return {
            "headline": _headline(reminder, now),
            "name": registration.name,
            "program": program,
            "program_url": emails.program_url(program),
            "registration_url": emails.registration_url(registration),
            "session_title": session.title,
            "session_when": session_when(session),
            "meeting_link": emails.participant_meeting_link(program),
            "venue": program.venue if program.format != Program.Format.ONLINE else "",
            "is_first": reminder.label == FIRST_SESSION,
        }

    composed = rendering.compose(
        language=registration.language,
        subject=lambda: f"{_headline(reminder, now)} ({program.title})",
        template="reminder",
        context=context,
        sender=sender,
    )
    return outbox.EmailDraft(
        kind=emails.Kind.REMINDER,
        dedup_key=due.dedup_key,
        recipient=registration.email,
        subject=composed.subject,
        body_text=composed.body_text,
        body_html=composed.body_html,
        reference=registration.reference,
    )


def reminders_queue_due(*, now: datetime | None = None) -> int:
    """Writes every due reminder to the outbox and hands them to the send task.

    Returns how many were written. Safe to run twice or in parallel: the dedup key
    is unique, and conflicting rows are skipped.
    """
    now = now or timezone.now()
    due = due_reminders(now=now)
    if not due:
        return 0
    sender = Centre.current()  # every footer's sender identification, read once
    drafts = [reminder_email(due=item, now=now, sender=sender) for item in due]
    return len(outbox.write_many(drafts, now=now))
