"""Seats taken, as the catalogue receives it from the booking core.

The catalogue imports nothing of registrations, yet its public pages show "seats
left" and the state that follows from it ("Full: join the waitlist"). What holds a
seat (a confirmed place, a live hold, a live waitlist offer) is registrations' rule,
written once there next to the lock that decides each hold. So the rule is handed in
rather than fetched: registrations calls `provide` in its AppConfig.ready with a
function that builds the seats-taken expression for a moment, and the program
selectors annotate with `seats_taken(now=...)`.

Why this and not moving the count here: the count reads registrations' tables and
statuses, so a copy in the catalogue would be a second home for the booking rule.
Why an expression and not a number: the pages annotate it as a subquery of the one
query that reads the programs, so the listing and the program page cost no extra
query per program. The figure is only for display (the page cache keeps it at most
a second behind); a hold is decided under the program's lock in registrations.
"""

from datetime import datetime
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Expression


class SeatsTakenExpression(Protocol):
    """Builds a per-program expression, evaluated against Program rows, counting the
    seats taken at `now`."""

    def __call__(self, *, now: datetime) -> Expression: ...


_provided: SeatsTakenExpression | None = None


def provide(expression: SeatsTakenExpression) -> None:
    """Called once, by the app that owns bookings, when Django starts."""
    global _provided
    _provided = expression


def seats_taken(*, now: datetime) -> Expression:
    """The seats taken at `now`, for `Program.objects.annotate(...)`."""
    return _built(_provided, "the seats taken", now=now)


def _built(provided: SeatsTakenExpression | None, what: str, *, now: datetime) -> Expression:
    if provided is None:
        raise ImproperlyConfigured(
            f"No installed app provides {what} for programs: "
            "registrations does, in its AppConfig.ready."
        )
    return provided(now=now)


# Registered people, for a program's minimum enrolment (programs/minimum.py): confirmed
# registrations, counted by the booking core's rule and handed over the same way.
_registered: SeatsTakenExpression | None = None


def provide_registered(expression: SeatsTakenExpression) -> None:
    """Called once, by the app that owns bookings, when Django starts."""
    global _registered
    _registered = expression


def registered(*, now: datetime) -> Expression:
    """The people registered (confirmed) at `now`, for `Program.objects.annotate(...)`."""
    return _built(_registered, "the registered count", now=now)
