"""Attendance: who came to which session, marked by a facilitator or staff."""

from django.db import transaction
from django.utils import timezone

from programs.models import Session
from registrations.models import Registration

from .models import Attendance


def attendance_open(session: Session) -> bool:
    """Attendance is marked for sessions that have started: the day of the session (in
    the centre's time zone) and after, never ahead of time."""
    return timezone.localdate(session.starts_at) <= timezone.localdate()


@transaction.atomic
def attendance_mark(
    *, registration: Registration, session: Session, present: bool, actor
) -> Attendance:
    """Records present or absent for one participant at one session; marking again
    replaces the earlier mark (one row per registration and session, by constraint)."""
    if session.program_id != registration.program_id:
        raise ValueError("The session belongs to another program.")
    attendance, _ = Attendance.objects.update_or_create(
        registration=registration,
        session=session,
        defaults={"present": present, "marked_by": actor},
    )
    return attendance
