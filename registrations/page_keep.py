"""What "My registrations" reads, for keeping it while nothing changes
(omwellness/kept_pages.py): a person's confirmed addresses, their registrations with
the programs, sessions, payments, refunds, receipts and certificates behind them, and
their waitlist entries with the others ahead of them in line."""

from collections.abc import Callable
from functools import cache

from allauth.account.models import EmailAddress

from omwellness.kept_pages import Drawn, kept_page, row_state
from programs.models import Program, Session

from .models import Payment, Refund, Registration, WaitlistEntry


@cache
def _my_registrations_sql() -> tuple[str, list[str], str]:
    # Receipts and certificates sit in apps above this one: their models, by relation name.
    receipt = Registration.receipts.rel.related_model
    certificate = Registration.certificate.related.related_model
    assert not isinstance(receipt, str) and not isinstance(certificate, str)  # noqa: S101
    registration = Registration._meta.db_table
    waitlist = WaitlistEntry._meta.db_table
    program = Program._meta.db_table
    session = Session._meta.db_table
    payment = Payment._meta.db_table
    addresses = EmailAddress._meta.db_table
    # The rows the person owns: made with their account or one of its confirmed
    # addresses (registrations.selectors._owned_filter says the same in the ORM).
    owned = (
        "(user_id = %(user)s OR lower(email) IN"
        f" (SELECT lower(email) FROM {addresses} WHERE user_id = %(user)s AND verified))"
    )
    with_clause = f"""WITH
        mine AS MATERIALIZED (
            SELECT id, program_id, status, hold_expires_at FROM {registration} WHERE {owned}),
        entries AS MATERIALIZED (
            SELECT id, program_id, offer_expires_at FROM {waitlist} WHERE {owned}),
        programs AS MATERIALIZED (
            SELECT program_id AS id FROM mine UNION SELECT program_id FROM entries
            UNION SELECT next_term_id FROM {program} WHERE id IN (SELECT program_id FROM mine))"""
    parts = [
        row_state(addresses, "user_id = %(user)s"),
        row_state(registration, "id IN (SELECT id FROM mine)"),
        row_state(payment, "registration_id IN (SELECT id FROM mine)"),
        row_state(
            Refund._meta.db_table,
            f"payment_id IN (SELECT id FROM {payment} WHERE registration_id IN"
            " (SELECT id FROM mine))",
        ),
        row_state(receipt._meta.db_table, "registration_id IN (SELECT id FROM mine)"),
        row_state(certificate._meta.db_table, "registration_id IN (SELECT id FROM mine)"),
        row_state(program, "id IN (SELECT id FROM programs)"),
        row_state(session, "program_id IN (SELECT id FROM programs)"),
        # Everyone in the lines the person stands in: their place depends on the others.
        row_state(waitlist, "program_id IN (SELECT program_id FROM entries)"),
    ]
    next_change = f"""(SELECT min(moment) FROM (
        SELECT hold_expires_at AS moment FROM mine
          WHERE status = %(pending)s AND hold_expires_at > %(now)s
        UNION ALL SELECT offer_expires_at FROM entries WHERE offer_expires_at > %(now)s
        UNION ALL SELECT ends_at FROM {session}
          WHERE program_id IN (SELECT id FROM programs) AND ends_at > %(now)s
        UNION ALL SELECT s.starts_at - make_interval(days => p.switch_days_before_start)
          FROM {session} s JOIN {program} p ON p.id = s.program_id
          WHERE s.program_id IN (SELECT id FROM programs)
          AND s.starts_at - make_interval(days => p.switch_days_before_start) > %(now)s
    ) moments)"""
    return with_clause, parts, next_change


def kept_my_registrations(*, user, draw: Callable[[], Drawn]) -> Drawn:
    with_clause, parts, next_change = _my_registrations_sql()
    return kept_page(
        key=("my-registrations", user.pk),
        with_clause=with_clause,
        parts=parts,
        next_change=next_change,
        params={"user": user.pk, "pending": Registration.Status.PENDING},
        draw=draw,
    )
