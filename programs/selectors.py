"""Reads about programs: what a visitor sees, in a constant number of queries.

Seats taken come from the booking core through `programs.seats` (see there why).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Prefetch
from django.utils import timezone

from .minimum import Minimum, program_minimum
from .models import Facilitator, PriceOption, Program, Question, Session
from .seats import registered, seats_taken


class ProgramState:
    OPEN = "open"
    FULL = "full"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    PAST = "past"
    CANCELLED = "cancelled"
    DRAFT = "draft"


STATE_LABELS = {
    ProgramState.OPEN: "Registration open",
    ProgramState.FULL: "Full: join the waitlist",
    ProgramState.NOT_YET_OPEN: "Registration not yet open",
    ProgramState.CLOSED: "Registration closed",
    ProgramState.PAST: "Past program",
    ProgramState.CANCELLED: "Cancelled",
    ProgramState.DRAFT: "Draft",
}


def program_state(*, program: Program, now: datetime, seats_left: int) -> str:
    """The one thing a visitor can do with a program right now.

    Expects `first_starts_at` and `last_ends_at` annotated (ProgramQuerySet.with_dates).
    """
    if program.status == Program.Status.CANCELLED:
        return ProgramState.CANCELLED
    if program.status == Program.Status.DRAFT:
        return ProgramState.DRAFT
    starts, ends = program.first_starts_at, program.last_ends_at
    if ends is not None and ends <= now:
        return ProgramState.PAST
    if program.registration_opens_at and now < program.registration_opens_at:
        return ProgramState.NOT_YET_OPEN
    closes = program.registration_closes_at or starts
    if starts is None or (closes is not None and now >= closes):
        return ProgramState.CLOSED
    if seats_left <= 0:
        return ProgramState.FULL
    return ProgramState.OPEN


def _annotated(now: datetime):
    # Program declares seats_taken: see ProgramQuerySet.with_dates.
    return Program.objects.with_dates().annotate(  # type: ignore[no-redef]
        seats_taken=seats_taken(now=now), registered_count=registered(now=now)
    )


@dataclass(frozen=True)
class ProgramView:
    """What a program's public pages show: the program, its seats left and the one thing
    a visitor can do with it now (a ProgramState)."""

    program: Program
    seats_left: int
    state: str
    # The minimum enrolment the page states (programs/minimum.py), if any.
    minimum: Minimum | None = None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def _program_view(program: Program, now: datetime) -> ProgramView:
    seats_left = max(0, program.capacity - program.seats_taken)
    return ProgramView(
        program=program,
        seats_left=seats_left,
        state=program_state(program=program, now=now, seats_left=seats_left),
        minimum=program_minimum(
            program=program,
            registered=program.registered_count,
            today=timezone.localdate(now),
        ),
    )


@dataclass(frozen=True)
class ProgramListing:
    upcoming: list[ProgramView]
    past: list[ProgramView]


def program_listing(*, now: datetime | None = None) -> ProgramListing:
    """Published programs: upcoming by start date, then past ones, most recent first.

    A program that has started but not ended counts as upcoming until it ends.
    """
    now = now or timezone.now()
    shown = [
        _program_view(program, now)
        for program in _annotated(now)
        .published()
        .prefetch_related("facilitators")
        .order_by(F("first_starts_at").asc(nulls_last=True), "title")
    ]
    upcoming = [v for v in shown if v.program.last_ends_at is None or v.program.last_ends_at > now]
    past = [
        v for v in shown if v.program.last_ends_at is not None and v.program.last_ends_at <= now
    ]
    # A past program has sessions, so a first start.
    past.sort(key=lambda v: v.program.first_starts_at or now, reverse=True)
    return ProgramListing(upcoming=upcoming, past=past)


def may_preview_drafts(*, user) -> bool:
    """Draft programs show to staff who may view programs, not to the staff flag alone.
    Asking only staff spares everyone else the two permission queries."""
    return user.is_staff and user.has_perm("programs.view_program")


def program_detail(
    *, slug: str, include_drafts: bool, now: datetime | None = None, for_form: bool = False
) -> ProgramView:
    """One program with everything its page shows, or with only what the registration
    form needs (`for_form`); raises Program.DoesNotExist."""
    now = now or timezone.now()
    parts = [
        Prefetch(
            "price_options", queryset=PriceOption.objects.order_by("position", "amount_cents")
        ),
        Prefetch("questions", queryset=Question.objects.order_by("position", "id")),
    ]
    if not for_form:
        parts += [
            Prefetch("sessions", queryset=Session.objects.order_by("starts_at")),
            Prefetch("facilitators", queryset=Facilitator.objects.order_by("position", "name")),
        ]
    programs = _annotated(now).prefetch_related(*parts)
    if not include_drafts:
        programs = programs.published()
    return _program_view(programs.get(slug=slug), now)
