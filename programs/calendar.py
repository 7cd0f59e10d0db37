"""The program's sessions as an iCalendar file (RFC 5545).

UIDs are stable per session and SEQUENCE grows when a session moves, so a
calendar that imported the file updates its events instead of duplicating them.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Program, Session

UID_DOMAIN = "omwellness.ca"


def session_uid(session: Session) -> str:
    return f"{session.uid}@{UID_DOMAIN}"


def program_calendar(
    *,
    program: Program,
    sessions: Iterable[Session],
    meeting_link: str = "",
    method: str = "PUBLISH",
) -> bytes:
    """An .ics of every session. `meeting_link` only for confirmed participants."""
    calendar = Calendar()
    calendar.add("prodid", "-//omwellness//registrations//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", program.title)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    page = settings.SITE_URL + program.get_absolute_url()
    stamp = timezone.now()
    sessions = list(sessions)
    for session in sessions:
        event = Event()
        event.add("uid", session_uid(session))
        event.add("sequence", session.sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", timezone.localtime(session.starts_at))
        event.add("dtend", timezone.localtime(session.ends_at))
        event.add("summary", f"{program.title}: {session.title}")
        if program.status == Program.Status.CANCELLED:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        location = meeting_link or session.location_note or program.venue
        if not location and program.is_online:
            location = _("Online (link sent to registered participants)")
        if location:
            event.add("location", location)
        description = [program.summary, "", page]
        if meeting_link:
            description += ["", _("Join online: %(link)s") % {"link": meeting_link}]
        event.add("description", "\n".join(description))
        event.add("url", page)
        calendar.add_component(event)
    if sessions:
        # Only the daylight-saving rules around these dates, not fifty years of them.
        calendar.add_missing_timezones(
            first_date=(sessions[0].starts_at - timedelta(days=366)).date(),
            last_date=(sessions[-1].ends_at + timedelta(days=366)).date(),
        )
    return calendar.to_ical()
