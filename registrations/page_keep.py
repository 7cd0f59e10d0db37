"""What "My registrations" reads, for keeping it while nothing changes
(omwellness/kept_pages.py): a person's registrations with their programs, sessions,
payments, receipts and certificates, and their waitlist entries with the others ahead
of them in line."""

from collections.abc import Callable
from functools import cache

from omwellness.kept_pages import Drawn, kept_page, row_state
from programs.models import Program, Session

from .models import Payment, Refund, Registration, WaitlistEntry


@cache
def _my_registrations_sql() -> tuple[list[str], str]:
    # Receipts and certificates sit in apps above this one: their models, by relation name.
    receipt = Registration.receipts.rel.related_model
    certificate = Registration.certificate.related.related_model
    assert not isinstance(receipt, str) and not isinstance(certificate, str)  # noqa: S101
    registration = Registration._meta.db_table
    waitlist = WaitlistEntry._meta.db_table
    program = Program._meta.db_table
    session = Session._meta.db_table
    payment = Payment._meta.db_table
    owned = "(user_id = %(user)s OR lower(email) = ANY(%(emails)s))"
    mine = f"SELECT id FROM {registration} WHERE {owned}"
    my_entries = f"SELECT id FROM {waitlist} WHERE {owned}"
    line_programs = f"SELECT program_id FROM {waitlist} WHERE {owned}"
    programs = (
        f"SELECT program_id FROM {registration} WHERE {owned} UNION {line_programs}"
        f" UNION SELECT next_term_id FROM {program} WHERE id IN"
        f" (SELECT program_id FROM {registration} WHERE {owned})"
    )
    parts = [
        row_state(registration, f"id IN ({mine})"),
        row_state(payment, f"registration_id IN ({mine})"),
        row_state(
            Refund._meta.db_table,
            f"payment_id IN (SELECT id FROM {payment} WHERE registration_id IN ({mine}))",
        ),
        row_state(receipt._meta.db_table, f"registration_id IN ({mine})"),
        row_state(certificate._meta.db_table, f"registration_id IN ({mine})"),
        row_state(program, f"id IN ({programs})"),
        row_state(session, f"program_id IN ({programs})"),
        # Everyone in the lines the person stands in: their place depends on the others.
        row_state(waitlist, f"program_id IN ({line_programs})"),
    ]
    next_change = f"""(SELECT min(moment) FROM (
        SELECT hold_expires_at AS moment FROM {registration} WHERE id IN ({mine})
          AND status = %(pending)s AND hold_expires_at > %(now)s
        UNION ALL SELECT offer_expires_at FROM {waitlist} WHERE id IN ({my_entries})
          AND offer_expires_at > %(now)s
        UNION ALL SELECT s.ends_at FROM {session} s WHERE s.program_id IN ({programs})
          AND s.ends_at > %(now)s
        UNION ALL SELECT s.starts_at - make_interval(days => p.switch_days_before_start)
          FROM {session} s JOIN {program} p ON p.id = s.program_id
          WHERE s.program_id IN ({programs})
          AND s.starts_at - make_interval(days => p.switch_days_before_start) > %(now)s
    ) moments)"""
    return parts, next_change


def kept_my_registrations(*, user, emails: list[str], draw: Callable[[], Drawn]) -> Drawn:
    parts, next_change = _my_registrations_sql()
    return kept_page(
        key=("my-registrations", user.pk),
        parts=parts,
        next_change=next_change,
        params={"user": user.pk, "emails": emails, "pending": Registration.Status.PENDING},
        draw=draw,
    )
