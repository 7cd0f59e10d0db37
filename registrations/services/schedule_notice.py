"""The schedule-change notice, written in the background (tasks.notify_schedule_change)
after staff confirm it in the program admin: each confirmed participant's email (once,
emails.schedule_change) and a line in their registration's log saying what they were
told, so staff see the result afterwards. Safe to run twice: the emails are keyed by
the changes, and a log line that is already there is not written again."""

from django.db import transaction

from programs.changes import SessionChange
from programs.models import Program
from registrations import emails
from registrations.emails.compose import confirmed_participants
from registrations.models import RegistrationLog

from .log import registration_log

ACTION = "schedule change notice"


def schedule_change_notify(*, program_id: int, changes: list[dict], actor=None) -> int:
    """Tells the program's confirmed participants about `changes` (SessionChange.to_dict
    items); returns how many were told now."""
    program = Program.objects.get(pk=program_id)
    moved = [SessionChange.from_dict(item) for item in changes]
    message = "; ".join(change.describe() for change in moved)
    with transaction.atomic():
        emails.schedule_change(program=program, changes=moved)
        told = confirmed_participants(program)
        already = set(
            RegistrationLog.objects.filter(
                registration__in=told, action=ACTION, message=message
            ).values_list("registration_id", flat=True)
        )
        new = [registration for registration in told if registration.pk not in already]
        for registration in new:
            registration_log(registration=registration, action=ACTION, message=message, actor=actor)
    return len(new)
