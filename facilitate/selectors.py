"""Reads of the facilitator portal (DESIGN rule 8).

A facilitator sees the programs whose facilitators include their profile; staff see
every program when their Django permissions allow what the page shows or does
(`facilitate.permissions`); anyone else sees nothing. Every page reads in a number of
queries that does not grow with the number of participants.

Each read returns a frozen view object that says what the page gets: a program
summary, an attendance grid (and the roster, in `facilitate.roster`). Model instances are never
decorated with computed attributes.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from programs.models import Program, ProgramQuerySet, Question, Session
from registrations.models import Registration, WaitlistEntry
from registrations.seats import seats_taken_subquery

from . import permissions
from .models import Attendance


def _count_subquery(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("program").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _facilitated(
    *, user, staff_permissions: tuple[str, ...] = permissions.READ_ANY_ROSTER
) -> ProgramQuerySet:
    """The programs the user leads; every program for staff holding `staff_permissions`."""
    programs = Program.objects.all()
    if not user.is_authenticated:
        return programs.none()
    # Staff only: a facilitator's pages cost no permission queries.
    if user.is_staff and user.has_perms(staff_permissions):
        return programs
    return programs.filter(facilitators__user=user)


def is_facilitator(*, user) -> bool:
    return bool(
        user.is_authenticated
        and (hasattr(user, "facilitator") or permissions.may_read_any_roster(user=user))
    )


# --- the list of programs -------------------------------------------------------------


@dataclass(frozen=True)
class ProgramSummary:
    """One program on a facilitator's list, with its counts."""

    slug: str
    title: str
    status_label: str  # empty for a published program
    first_starts_at: datetime | None
    last_ends_at: datetime | None
    capacity: int
    confirmed: int
    seats_left: int
    waiting: int
    is_past: bool
    requires_approval: bool
    applications: int  # open applications, waiting for a decision


def facilitated_programs(*, user, now: datetime | None = None) -> list[ProgramSummary]:
    """The programs a facilitator leads (every program for staff who may read any
    roster), running and upcoming first, each with its counts."""
    now = now or timezone.now()
    registrations = Registration.objects.filter(program=OuterRef("pk"))
    # Program declares seats_taken: see ProgramQuerySet.with_dates.
    programs = (
        _facilitated(user=user)  # type: ignore[no-redef]
        .with_dates()
        .annotate(seats_taken=seats_taken_subquery(now=now))
        .annotate(
            confirmed_count=_count_subquery(
                registrations.filter(status=Registration.Status.CONFIRMED)
            ),
            waiting_count=_count_subquery(
                WaitlistEntry.objects.filter(
                    program=OuterRef("pk"), status=WaitlistEntry.Status.WAITING
                )
            ),
            applications_count=_count_subquery(
                registrations.filter(status__in=Registration.APPLICATION_STATUSES)
            ),
        )
        .order_by("first_starts_at", "title")
    )
    summaries = [
        ProgramSummary(
            slug=program.slug,
            title=program.title,
            status_label=""
            if program.status == Program.Status.PUBLISHED
            else program.get_status_display(),
            first_starts_at=program.first_starts_at,
            last_ends_at=program.last_ends_at,
            capacity=program.capacity,
            # Iterating a custom QuerySet class yields its plain model type: the type
            # plugin keeps annotations only through QuerySet itself.
            confirmed=program.confirmed_count,  # type: ignore[attr-defined]
            seats_left=max(0, program.capacity - program.seats_taken),
            waiting=program.waiting_count,  # type: ignore[attr-defined]
            is_past=program.last_ends_at is not None and program.last_ends_at <= now,
            requires_approval=program.requires_approval,
            applications=program.applications_count,  # type: ignore[attr-defined]
        )
        for program in programs
    ]
    summaries.sort(key=lambda summary: summary.is_past)
    return summaries


# --- one program ----------------------------------------------------------------------


class FacilitatedProgram:
    """A program its facilitator (or staff) opened, with the seats left; its sessions and
    questions, in order, are read when a page first asks (a kept roster never does)."""

    def __init__(self, program: Program, seats_left: int) -> None:
        self.program = program
        self.seats_left = seats_left

    @cached_property
    def sessions(self) -> tuple[Session, ...]:
        return tuple(self.program.sessions.order_by("starts_at"))

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(self.program.questions.order_by("position", "id"))

    def session(self, pk: int) -> Session | None:
        return next((session for session in self.sessions if session.pk == pk), None)


def facilitated_program(
    *,
    user,
    slug: str,
    staff_permissions: tuple[str, ...] = permissions.READ_ANY_ROSTER,
    now: datetime | None = None,
) -> FacilitatedProgram | None:
    """One program the user leads (any, for staff holding `staff_permissions`), with
    dates and seats; else None."""
    now = now or timezone.now()
    # Program declares seats_taken: see ProgramQuerySet.with_dates.
    program = (
        _facilitated(user=user, staff_permissions=staff_permissions)  # type: ignore[no-redef]
        .with_dates()
        .annotate(seats_taken=seats_taken_subquery(now=now))
        .filter(slug=slug)
        .first()
    )
    if program is None:
        return None
    return FacilitatedProgram(
        program=program, seats_left=max(0, program.capacity - program.seats_taken)
    )


# --- attendance -----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionAttendance:
    """One session to mark: its confirmed participants, and what is marked already
    (registration id to present)."""

    session: Session
    registrations: tuple[Registration, ...]
    marks: dict[int, bool]


def session_attendance(
    *, facilitated: FacilitatedProgram, session_pk: int
) -> SessionAttendance | None:
    """The confirmed participants and what is marked for one session of the program."""
    session = facilitated.session(session_pk)
    if session is None:
        return None
    registrations = tuple(
        Registration.objects.filter(
            program=facilitated.program, status=Registration.Status.CONFIRMED
        )
        .only("pk", "name", "email", "reference", "program_id", "status")
        .order_by(Lower("name"), "id")
    )
    marks = dict(
        Attendance.objects.filter(session=session).values_list("registration_id", "present")
    )
    return SessionAttendance(session=session, registrations=registrations, marks=marks)


@dataclass(frozen=True)
class AttendanceRow:
    name: str
    cells: tuple[bool | None, ...]  # present, absent or not marked, per session in order
    present: int


@dataclass(frozen=True)
class AttendanceSummary:
    sessions: tuple[Session, ...]
    rows: tuple[AttendanceRow, ...]
    marked_sessions: frozenset[int]


def attendance_summary(*, facilitated: FacilitatedProgram) -> AttendanceSummary:
    """Per participant: present / absent / not marked for each session, and the total."""
    sessions = facilitated.sessions
    registrations = list(
        Registration.objects.filter(
            program=facilitated.program, status=Registration.Status.CONFIRMED
        )
        .only("pk", "name", "program_id", "status")
        .order_by(Lower("name"), "id")
    )
    marks = {
        (registration_id, session_id): present
        for registration_id, session_id, present in Attendance.objects.filter(
            session__program=facilitated.program
        ).values_list("registration_id", "session_id", "present")
    }
    rows = []
    for registration in registrations:
        cells = tuple(marks.get((registration.pk, s.pk)) for s in sessions)
        rows.append(
            AttendanceRow(name=registration.name, cells=cells, present=sum(1 for c in cells if c))
        )
    return AttendanceSummary(
        sessions=sessions,
        rows=tuple(rows),
        marked_sessions=frozenset(session_id for (_, session_id) in marks),
    )
