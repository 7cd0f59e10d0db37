"""Whether a program takes registrations right now, decided under its row lock.

The lock order, the one every write about seats and money follows, so that two
transactions never wait on each other in a circle (PostgreSQL would kill one of them
with "deadlock detected"):

1. the Stripe event row (stripe_event_process, a webhook only);
2. registrations, in id order;
3. programs, in id order (program_lock below: the seat count);
4. under a program: its waitlist entries, then discount codes.

A path that starts from a registration (cancelling, paying, expiring, leaving
Checkout, renewing a hold, transferring) locks it first and takes the program lock
only when the seat changes hands. A path that starts from a program (registering,
the waitlist) never locks an existing registration after it: registration_create
locks the lapsed holds it replaces before the program. Payment rows are locked only
by a transaction that holds their registration's lock, so their place needs no rule.

No call to Stripe while a program row is locked: a refund goes to Stripe under the
registration's lock, with its idempotency key, before the program lock is taken (a
crash in between rolls everything back, and the retry gets the same refund back);
Checkout Sessions are expired after the transaction (holds.checkout_sessions_expire).
The only path that decides on a refund under the program lock (a late payment that
finds the program full, fulfilment._late_seat) takes that lock in a savepoint and
rolls it back, which gives the lock back, before it refunds.
"""

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from programs.models import Program, Session
from programs.selectors import STATE_LABELS, ProgramState, program_state
from registrations.models import Registration, WaitlistEntry
from registrations.selectors import seats_taken_subquery

from .errors import ProgramFull, RegistrationRefused, TooManyHolds

REFUSALS = {
    ProgramState.NOT_YET_OPEN: "Registration for this program is not open yet.",
    ProgramState.CLOSED: "Registration for this program has closed.",
    ProgramState.PAST: "This program has already taken place.",
    ProgramState.CANCELLED: "This program has been cancelled.",
    ProgramState.DRAFT: "This program is not open for registration.",
}


def program_lock(*, program_id: int, now=None) -> Program:
    """The program row, locked until the transaction ends (DESIGN rule 1), with its
    dates and the seats taken read once the lock is held.

    Every change to the seats of a program takes this lock before it counts them, so
    two people can never hold the same last seat; see the lock order above for what
    may be locked before it. On SQLite the write transaction serialises instead.
    """
    program = Program.objects.select_for_update().get(pk=program_id)
    program_facts(program=program, now=now)
    return program


def program_facts(*, program: Program, now=None) -> None:
    """Reads the dates and the seats taken into `program`, in one query.

    Run it after the lock is held: the count must see every hold committed before.
    """
    now = now or timezone.now()
    sessions = Session.objects.filter(program=OuterRef("pk"))
    facts = (
        Program.objects.filter(pk=program.pk)
        .annotate(
            first=Subquery(sessions.order_by("starts_at").values("starts_at")[:1]),
            last=Subquery(sessions.order_by("-ends_at").values("ends_at")[:1]),
            taken=seats_taken_subquery(now=now),
        )
        .values("first", "last", "taken")
        .get()
    )
    program.first_starts_at = facts["first"]
    program.last_ends_at = facts["last"]
    program.seats_taken = facts["taken"]
    program.facts_at = now


def seats_free(*, program: Program, now, offer: WaitlistEntry | None = None) -> int:
    """Seats nobody holds; a live offer counts as free for the person it was made to."""
    if getattr(program, "facts_at", None) != now:
        program_facts(program=program, now=now)
    own_offer = 1 if offer is not None and offer.offer_is_live(now) else 0
    return program.capacity - program.seats_taken + own_offer


def ensure_open(*, program: Program, now=None, offer: WaitlistEntry | None = None) -> None:
    """Raises RegistrationRefused with the reason when the program takes nobody now."""
    now = now or timezone.now()
    free = seats_free(program=program, now=now, offer=offer)
    state = program_state(program=program, now=now, seats_left=free)
    if state == ProgramState.FULL:
        raise ProgramFull("Every seat is taken. You can join the waitlist.")
    if state != ProgramState.OPEN:
        raise RegistrationRefused(REFUSALS.get(state, STATE_LABELS[state]))


def ensure_client_may_hold(*, program: Program, client_hash: str, now) -> None:
    """Raises TooManyHolds when this client already holds LIVE_HOLDS_PER_CLIENT unpaid
    seats of the program. Call with the program lock held, so that a burst of requests
    from one client cannot each see room for one more.

    Without this, one client could hold every seat of a small program, 30 minutes at a
    time, by registering under made-up addresses. An empty `client_hash` (staff acting
    in the admin, scripts) is not counted.
    """
    if not client_hash:
        return
    holding = (
        Registration.objects.filter(program=program, client_hash=client_hash)
        .filter(status=Registration.Status.PENDING, hold_expires_at__gt=now)
        .count()
    )
    if holding >= settings.LIVE_HOLDS_PER_CLIENT:
        raise TooManyHolds(
            "Several seats in this program are already being held from your connection "
            "while they wait for payment. Please finish those payments, or try again in "
            "about 30 minutes, when unpaid holds are released."
        )
