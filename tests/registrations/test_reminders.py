"""Reminders follow the calendar (DESIGN rule 6): computed from the current session dates,
with time frozen at the moments that matter."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outbox.models import OutboundEmail
from programs.models import Program, Session
from registrations.models import Registration
from registrations.reminders import due_reminders, reminders_queue_due

from ..factories import ProgramFactory, RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


@pytest.fixture
def scan(django_capture_on_commit_callbacks):
    """One periodic scan at `moment`; returns the reminders it sent."""

    def run(moment: datetime) -> list:
        before = len(mail.outbox)
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                reminders_queue_due()
        return mail.outbox[before:]

    return run


def weekly_program(first: datetime, *, weeks=2, registered_at=None, **fields):
    """A program whose sessions start at `first` (local time), and one confirmed person."""
    program = ProgramFactory(sessions=False, **fields)
    for week in range(weeks):
        starts_at = first + timedelta(weeks=week)
        SessionFactory(
            program=program,
            title=f"Week {week + 1}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2, minutes=30),
        )
    registered_at = registered_at or first - timedelta(days=30)
    with time_machine.travel(registered_at, tick=False):
        registration = RegistrationFactory(program=program, name="Ada")
    return program, registration


def test_reminder_a_week_before_arrives_at_nine_in_the_morning(scan):
    program, registration = weekly_program(local(2026, 1, 7, 19, 0))

    assert scan(local(2025, 12, 31, 8, 59)) == []
    (message,) = scan(local(2025, 12, 31, 9, 0))

    assert message.to == [registration.email]
    assert message.subject == (
        f"1 week to go: your program begins Wednesday, January 7, 2026 ({program.title})"
    )
    assert "Wed, Jan 7, 2026, 7:00–9:30 pm ET" in message.body
    assert "https://meet.example.com/secret-room" in message.body


def test_reminder_not_yet_due_sends_nothing(scan):
    weekly_program(local(2026, 1, 7, 19, 0))

    assert scan(local(2025, 12, 25, 12, 0)) == []
    assert OutboundEmail.objects.count() == 0


def test_reminder_day_before_and_on_the_day_with_the_link(scan):
    program, registration = weekly_program(local(2026, 1, 7, 19, 0))
    scan(local(2025, 12, 31, 9, 0))

    (tomorrow,) = scan(local(2026, 1, 6, 9, 0))
    assert scan(local(2026, 1, 7, 15, 59)) == []
    (today,) = scan(local(2026, 1, 7, 16, 0))

    assert tomorrow.subject.startswith("Tomorrow: your program begins")
    assert today.subject.startswith("Today: Week 1")
    assert "https://meet.example.com/secret-room" in today.body
    (week_two,) = scan(local(2026, 1, 14, 16, 0))
    assert week_two.subject.startswith("Today: Week 2")


def test_reminder_scan_twice_sends_once(scan):
    weekly_program(local(2026, 1, 7, 19, 0))

    first = scan(local(2025, 12, 31, 9, 5))
    again = scan(local(2025, 12, 31, 9, 10))

    assert len(first) == 1 and again == []


def test_reminder_for_a_late_registrant_skips_the_week_before(scan):
    # Registered two days before the start: no "one week to go", but "tomorrow" comes.
    _, registration = weekly_program(
        local(2026, 1, 7, 19, 0), registered_at=local(2026, 1, 5, 12, 0)
    )

    assert scan(local(2026, 1, 5, 12, 30)) == []
    (tomorrow,) = scan(local(2026, 1, 6, 9, 0))
    assert tomorrow.to == [registration.email]
    assert tomorrow.subject.startswith("Tomorrow")


def test_reminder_registered_after_the_day_before_moment_waits_for_the_day(scan):
    weekly_program(local(2026, 1, 7, 19, 0), registered_at=local(2026, 1, 6, 10, 0))

    assert scan(local(2026, 1, 6, 11, 0)) == []
    (today,) = scan(local(2026, 1, 7, 16, 0))
    assert today.subject.startswith("Today")


def test_reminder_is_not_sent_to_cancelled_or_pending_registrations(scan):
    program, registration = weekly_program(local(2026, 1, 7, 19, 0))
    registration.status = Registration.Status.CANCELLED
    registration.save()
    with time_machine.travel(local(2025, 12, 1), tick=False):
        RegistrationFactory(program=program, status=Registration.Status.PENDING, confirmed_at=None)

    assert scan(local(2025, 12, 31, 9, 0)) == []
    assert scan(local(2026, 1, 7, 16, 0)) == []


def test_reminder_is_not_sent_once_the_session_has_begun(scan):
    weekly_program(local(2026, 1, 7, 19, 0), weeks=1)

    # The scan was down all day; by the time it runs the session has started.
    assert scan(local(2026, 1, 7, 19, 1)) == []


def test_reminder_after_an_outage_sends_only_the_latest_one_due(scan):
    weekly_program(local(2026, 1, 7, 19, 0), weeks=1, remind_on_session_day=False)

    # Nothing ran between the week-before and the day-before moments.
    (message,) = scan(local(2026, 1, 6, 9, 30))
    assert message.subject.startswith("Tomorrow")


def test_reminder_follows_a_date_moved_later(scan):
    program, registration = weekly_program(local(2026, 1, 7, 19, 0), weeks=1)
    (week_before,) = scan(local(2025, 12, 31, 9, 0))
    session = program.sessions.get()
    session.starts_at = local(2026, 1, 14, 19, 0)
    session.ends_at = local(2026, 1, 14, 21, 30)
    session.save()

    # The old day-before moment passes quietly: that date no longer exists.
    assert scan(local(2026, 1, 6, 9, 0)) == []
    (new_week_before,) = scan(local(2026, 1, 7, 9, 0))
    (new_day_before,) = scan(local(2026, 1, 13, 9, 0))

    assert "January 7, 2026" in week_before.subject
    assert "January 14, 2026" in new_week_before.subject
    assert new_day_before.subject.startswith("Tomorrow")
    assert "Wed, Jan 14, 2026, 7:00–9:30 pm ET" in new_day_before.body


def test_reminder_follows_a_date_moved_earlier(scan):
    program, _ = weekly_program(local(2026, 1, 14, 19, 0), weeks=1, remind_on_session_day=False)
    session = program.sessions.get()
    session.starts_at = local(2026, 1, 9, 19, 0)
    session.ends_at = local(2026, 1, 9, 21, 30)
    session.save()

    # The old week-before moment (Jan 7) is after the new one (Jan 2): the scan on
    # Jan 5 tells of the new date, in days, and the day-before follows it.
    (soon,) = scan(local(2026, 1, 5, 9, 0))
    (tomorrow,) = scan(local(2026, 1, 8, 9, 0))
    assert scan(local(2026, 1, 13, 9, 0)) == []

    assert soon.subject.startswith("4 days to go: your program begins Friday, January 9, 2026")
    assert tomorrow.subject.startswith("Tomorrow")
    assert "Fri, Jan 9, 2026, 7:00–9:30 pm ET" in tomorrow.body


def test_reminder_in_the_week_daylight_saving_starts(scan):
    # Clocks go forward on Sunday, March 8, 2026: 9:00 am is 14:00 UTC before, 13:00 after.
    weekly_program(local(2026, 3, 10, 19, 0), weeks=1, remind_on_session_day=False)
    utc = ZoneInfo("UTC")

    assert scan(datetime(2026, 3, 3, 13, 59, tzinfo=utc)) == []
    assert len(scan(datetime(2026, 3, 3, 14, 0, tzinfo=utc))) == 1
    assert scan(datetime(2026, 3, 9, 12, 59, tzinfo=utc)) == []
    (tomorrow,) = scan(datetime(2026, 3, 9, 13, 0, tzinfo=utc))
    assert "Tue, Mar 10, 2026, 7:00–9:30 pm ET" in tomorrow.body


def test_reminder_in_the_week_daylight_saving_ends(scan):
    # Clocks go back on Sunday, November 1, 2026: 9:00 am is 13:00 UTC before, 14:00 after.
    weekly_program(local(2026, 11, 3, 19, 0), weeks=1, remind_on_session_day=False)
    utc = ZoneInfo("UTC")

    assert scan(datetime(2026, 10, 27, 12, 59, tzinfo=utc)) == []
    assert len(scan(datetime(2026, 10, 27, 13, 0, tzinfo=utc))) == 1
    assert scan(datetime(2026, 11, 2, 13, 59, tzinfo=utc)) == []
    (tomorrow,) = scan(datetime(2026, 11, 2, 14, 0, tzinfo=utc))
    assert "Tue, Nov 3, 2026, 7:00–9:30 pm ET" in tomorrow.body


def test_reminder_offsets_are_the_programs_own(scan):
    weekly_program(
        local(2026, 1, 7, 19, 0),
        weeks=1,
        reminder_days_before="3",
        remind_on_session_day=False,
    )

    assert scan(local(2025, 12, 31, 9, 0)) == []
    (message,) = scan(local(2026, 1, 4, 9, 0))
    assert message.subject.startswith("3 days to go")
    assert scan(local(2026, 1, 6, 9, 0)) == []


def test_reminder_on_the_day_is_for_online_programs_only(scan):
    weekly_program(
        local(2026, 1, 7, 19, 0),
        weeks=1,
        reminder_days_before="",
        format=Program.Format.IN_PERSON,
        venue="12 Quiet Street",
        meeting_link="",
    )

    assert scan(local(2026, 1, 7, 16, 0)) == []


def test_reminder_skips_draft_and_cancelled_programs(scan):
    draft, _ = weekly_program(local(2026, 1, 7, 19, 0), status=Program.Status.DRAFT)
    cancelled, _ = weekly_program(local(2026, 1, 7, 19, 0), status=Program.Status.CANCELLED)

    assert scan(local(2025, 12, 31, 9, 0)) == []


def test_reminder_scan_reads_in_the_same_number_of_queries_for_1_or_40_people():
    def queries_for(people: int, first: datetime) -> int:
        program, _ = weekly_program(first, weeks=3)
        with time_machine.travel(first - timedelta(days=30), tick=False):
            RegistrationFactory.create_batch(people - 1, program=program)
        with time_machine.travel(first - timedelta(days=7) + timedelta(hours=1), tick=False):
            with CaptureQueriesContext(connection) as queries:
                due = due_reminders()
        assert len(due) == people
        Session.objects.filter(program=program).delete()
        return len(queries)

    assert queries_for(1, local(2026, 1, 7, 19, 0)) == queries_for(40, local(2026, 2, 4, 19, 0))


@pytest.mark.postgres
def test_reminder_structure_a_long_title_with_a_newline_queues_every_reminder_on_postgresql(
    scan,
):
    """The scan writes through the outbox's one writer, which makes every subject one line
    that fits its column: one long title used to fail the whole scan on PostgreSQL."""
    title = "Mindful Self-Compassion for the whole family " * 2 + "\n" + "and friends " * 9
    title = title[:200]
    long_program, long_registration = weekly_program(local(2026, 1, 7, 19, 0), title=title)
    _, other_registration = weekly_program(local(2026, 1, 7, 19, 0))

    sent = scan(local(2025, 12, 31, 9, 0))

    assert sorted(m.to[0] for m in sent) == sorted(
        [long_registration.email, other_registration.email]
    )
    row = OutboundEmail.objects.get(recipient=long_registration.email, kind="reminder")
    assert row.status == OutboundEmail.Status.SENT
    assert "\n" not in row.subject and len(row.subject) == 255 and row.subject.endswith("…")
    assert row.subject.startswith("1 week to go: your program begins Wednesday, January 7")
    assert row.reference == long_registration.reference
    assert long_program.title == title
