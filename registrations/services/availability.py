"""Whether a program takes registrations right now, decided under its row lock.

The lock order, the one every write about seats and money follows, so that two
transactions never wait on each other in a circle (PostgreSQL would kill one of them
with "deadlock detected"):

1. the Stripe event row (stripe_event_process, a webhook only);
2. registrations, in id order, each followed by its switches (services/switch.py); then,
   when a payment or refund is recorded, the receipt counter (the receipts app numbers
   the receipt in the same transaction);
3. programs, in id order (program_lock below: the seat count);
4. under a program: its waitlist entries, then discount codes;
5. last, a mailing-list subscriber and then its consents (a consent ticked on the form,
   recorded with the registration and confirmed with it; mailing.services).

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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.models import Program
from programs.selectors import STATE_LABELS, ProgramState, program_state
from registrations.models import Registration, WaitlistEntry
from registrations.seats import seats_taken_subquery

from .errors import ProgramFull, RegistrationRefused, TooManyHolds

REFUSALS = {
    ProgramState.NOT_YET_OPEN: gettext_lazy("Registration for this program is not open yet."),
    ProgramState.CLOSED: gettext_lazy("Registration for this program has closed."),
    ProgramState.PAST: gettext_lazy("This program has already taken place."),
    ProgramState.CANCELLED: gettext_lazy("This program has been cancelled."),
    ProgramState.DRAFT: gettext_lazy("This program is not open for registration."),
}


def program_lock(*, program_id: int, now=None) -> Program:
    """The program row, locked until the transaction ends (DESIGN rule 1), read again once
    the lock is held with its dates and the seats taken at `now` (ORM annotations:
    `first_starts_at`, `last_ends_at`, `seats_taken`).

    Every change to the seats of a program takes this lock before it counts them, so
    two people can never hold the same last seat; see the lock order above for what
    may be locked before it. The count is a second statement on purpose: one that waited
    for the lock would still count with the snapshot it started with, and miss the hold
    committed by the transaction it waited for. On SQLite the write transaction
    serialises instead.
    """
    Program.objects.select_for_update().filter(pk=program_id).values_list("pk").get()
    return program_counted(program_id=program_id, now=now)


def program_counted(*, program_id: int, now=None) -> Program:
    """The program with its dates and seats taken at `now`, as program_lock reads it: under
    that lock to decide, without it only to show what a decision would likely be."""
    now = now or timezone.now()
    # Program declares `seats_taken` for the type checker; the plugin refuses an
    # annotation named like a declared attribute, which Django allows.
    counted = Program.objects.with_dates().annotate(
        seats_taken=seats_taken_subquery(now=now)  # type: ignore[no-redef]
    )
    return counted.get(pk=program_id)


def seats_free(*, program: Program, offer: WaitlistEntry | None = None, now=None) -> int:
    """Seats nobody holds, for a program from `program_lock`; a live offer counts as free
    for the person it was made to."""
    now = now or timezone.now()
    own_offer = 1 if offer is not None and offer.offer_is_live(now) else 0
    return program.capacity - program.seats_taken + own_offer


def ensure_open(
    *, program: Program, now=None, offer: WaitlistEntry | None = None, applying: bool = False
) -> None:
    """Raises RegistrationRefused with the reason when the program takes nobody now.

    An application (`applying`) takes no seat, so a full program still accepts it: its
    approval puts the person on the waitlist (services/approval.py).
    """
    now = now or timezone.now()
    free = seats_free(program=program, now=now, offer=offer)
    state = program_state(program=program, now=now, seats_left=free)
    if state == ProgramState.FULL and not applying:
        raise ProgramFull(_("Every seat is taken. You can join the waitlist."))
    if state not in (ProgramState.OPEN, ProgramState.FULL):
        raise RegistrationRefused(str(REFUSALS.get(state, STATE_LABELS[state])))


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
            _(
                "Several seats in this program are already being held from your connection "
                "while they wait for payment. Please finish those payments, or try again in "
                "about 30 minutes, when unpaid holds are released."
            )
        )
