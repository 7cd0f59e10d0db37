"""What the roster page reads, for keeping it while nothing changes (omwellness/kept_pages.py).

A roster of 200 people reads hundreds of rows and draws a long table: tens of
milliseconds a time, for a page facilitators reload as people arrive and that
several facilitators and staff read alike.
"""

from collections.abc import Callable
from functools import cache

from omwellness.kept_pages import Drawn, kept_page, row_state
from programs.models import Program, Question, Session
from registrations.models import Answer, Payment, Refund, Registration, WaitlistEntry

from .models import Attendance


@cache
def _roster_sql() -> tuple[list[str], str]:
    """The program's rows the roster reads, and when it next changes with no write."""
    # The certificates app sits above this one: its model, by the relation's name.
    certificate = Registration.certificate.related.related_model
    assert not isinstance(certificate, str)  # noqa: S101 - a resolved relation, for the types
    registration = Registration._meta.db_table
    session = Session._meta.db_table
    waitlist = WaitlistEntry._meta.db_table
    payment = Payment._meta.db_table
    of_program = (
        f"registration_id IN (SELECT id FROM {registration} WHERE program_id = %(program)s)"
    )
    parts = [
        row_state(Program._meta.db_table, "id = %(program)s"),
        row_state(session, "program_id = %(program)s"),
        row_state(Question._meta.db_table, "program_id = %(program)s"),
        row_state(registration, "program_id = %(program)s"),
        row_state(waitlist, "program_id = %(program)s"),
        row_state(payment, of_program),
        row_state(Answer._meta.db_table, of_program),
        row_state(certificate._meta.db_table, of_program),
        row_state(
            Refund._meta.db_table, f"payment_id IN (SELECT id FROM {payment} WHERE {of_program})"
        ),
        row_state(
            Attendance._meta.db_table,
            f"session_id IN (SELECT id FROM {session} WHERE program_id = %(program)s)",
        ),
    ]
    next_change = f"""(SELECT min(moment) FROM (
        SELECT hold_expires_at AS moment FROM {registration} WHERE program_id = %(program)s
          AND status = %(pending)s AND hold_expires_at > %(now)s
        UNION ALL SELECT offer_expires_at FROM {waitlist} WHERE program_id = %(program)s
          AND offer_expires_at > %(now)s
        UNION ALL SELECT starts_at FROM {session} WHERE program_id = %(program)s
          AND starts_at > %(now)s
        UNION ALL SELECT ends_at FROM {session} WHERE program_id = %(program)s
          AND ends_at > %(now)s
    ) moments)"""  # noqa: S608 - table names from the models, values as parameters
    return parts, next_change


def kept_roster(*, program_id: int, draw: Callable[[], Drawn]) -> Drawn:
    parts, next_change = _roster_sql()
    return kept_page(
        key=("roster", program_id),
        parts=parts,
        next_change=next_change,
        params={"program": program_id, "pending": Registration.Status.PENDING},
        draw=draw,
    )
