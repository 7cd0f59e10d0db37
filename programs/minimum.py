"""Minimum enrolment as a program's page states it.

A course by a teacher in training must reach a minimum number of participants or it
does not run. Until the decision date the page says so ("runs once N people have
registered"), and how many more are needed only when staff allow it; from the
decision date on it says nothing, or that the program will run once it has reached
the minimum. People registered are confirmed registrations, counted by the booking
core's rule (programs/seats.py `registered`). The decision itself (telling staff and
facilitators, cancelling) is registrations' business.
"""

from dataclasses import dataclass
from datetime import date

from .models import Program


@dataclass(frozen=True)
class Minimum:
    participants: int
    decision_date: date
    registered: int
    show_missing: bool
    today: date

    @property
    def before_decision(self) -> bool:
        return self.today < self.decision_date

    @property
    def reached(self) -> bool:
        return self.registered >= self.participants

    @property
    def missing(self) -> int:
        """How many more are needed; 0 when staff chose not to say."""
        return max(0, self.participants - self.registered) if self.show_missing else 0

    @property
    def says_it_runs(self) -> bool:
        """The page says the program will run: the minimum is reached, and either the
        decision date has come or staff let the page speak of numbers."""
        return self.reached and (self.show_missing or not self.before_decision)


def program_minimum(*, program: Program, registered: int, today: date) -> Minimum | None:
    """What the page shows of the program's minimum; None when it has none to show."""
    if program.minimum_participants is None or program.minimum_decision_date is None:
        return None
    if program.status == Program.Status.CANCELLED:
        return None
    return Minimum(
        participants=program.minimum_participants,
        decision_date=program.minimum_decision_date,
        registered=registered,
        show_missing=program.show_places_missing,
        today=today,
    )
