"""Whether a program takes registrations right now, decided under its row lock."""

from django.db.models import Max, Min
from django.utils import timezone

from programs.models import Program
from programs.selectors import STATE_LABELS, ProgramState, program_state
from registrations.models import WaitlistEntry
from registrations.selectors import program_seats_taken

from .errors import ProgramFull, RegistrationRefused

REFUSALS = {
    ProgramState.NOT_YET_OPEN: "Registration for this program is not open yet.",
    ProgramState.CLOSED: "Registration for this program has closed.",
    ProgramState.PAST: "This program has already taken place.",
    ProgramState.CANCELLED: "This program has been cancelled.",
    ProgramState.DRAFT: "This program is not open for registration.",
}


def program_lock(*, program_id: int) -> Program:
    """The program row, locked until the transaction ends (DESIGN rule 1).

    Every change to the seats of a program takes this lock first, so two people can
    never hold the same last seat. On SQLite the write transaction serialises instead.
    """
    program = Program.objects.select_for_update().get(pk=program_id)
    dates = program.sessions.aggregate(
        first_starts_at=Min("starts_at"), last_ends_at=Max("ends_at")
    )
    program.first_starts_at = dates["first_starts_at"]
    program.last_ends_at = dates["last_ends_at"]
    return program


def seats_free(*, program: Program, now, offer: WaitlistEntry | None = None) -> int:
    """Seats nobody holds; a live offer counts as free for the person it was made to."""
    taken = program_seats_taken(
        program=program, now=now, exclude_offer_id=offer.pk if offer is not None else None
    )
    return program.capacity - taken


def ensure_open(*, program: Program, now=None, offer: WaitlistEntry | None = None) -> None:
    """Raises RegistrationRefused with the reason when the program takes nobody now."""
    now = now or timezone.now()
    free = seats_free(program=program, now=now, offer=offer)
    state = program_state(program=program, now=now, seats_left=free)
    if state == ProgramState.FULL:
        raise ProgramFull("Every seat is taken. You can join the waitlist.")
    if state != ProgramState.OPEN:
        raise RegistrationRefused(REFUSALS.get(state, STATE_LABELS[state]))
