"""Builders shared by the certificates' tests (tests/certificates/ and the journeys).

Test modules import from here and from tests/factories.py, never from each other.
"""

from datetime import timedelta

from facilitate.models import Attendance
from programs.models import Program, Session

from ..factories import FacilitatorFactory, ProgramFactory, RegistrationFactory


def completed_program(*, teacher=None, starts_in=timedelta(days=-40), **fields) -> Program:
    """Four weekly sessions (ended when `starts_in` is over four weeks ago) and the rule
    "3 of 4 live, the last one required"; led by `teacher` when given."""
    fields.setdefault("completion_min_sessions", 3)
    program = ProgramFactory(sessions__starts_in=starts_in, sessions__weeks=4, **fields)
    last = program.sessions.order_by("starts_at").last()
    Session.objects.filter(pk=last.pk).update(title="Closing retreat", required_for_completion=True)
    if teacher is not None:
        program.facilitators.add(FacilitatorFactory(user=teacher, name="Lead teacher"))
    return program


def attended(program: Program, sessions: list[int], **fields):
    """A confirmed participant marked present at the sessions at these positions and
    absent at the others."""
    registration = RegistrationFactory(program=program, **fields)
    Attendance.objects.bulk_create(
        Attendance(registration=registration, session=session, present=n in sessions)
        for n, session in enumerate(program.sessions.order_by("starts_at"))
    )
    return registration
