"""Attendance: who came to which session, marked by a facilitator or staff."""

from django.db import transaction

from programs.models import Session
from registrations.models import Registration

from .models import Attendance


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
