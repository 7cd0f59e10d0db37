"""The roster page is kept while nothing it shows changes (facilitate/page_keep.py).

PostgreSQL tells whether the program's rows changed; SQLite (the local default) has no
such column, and there every roster is drawn afresh, so these run on PostgreSQL (CI).
"""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from facilitate.models import Attendance
from omwellness.models import SensitiveAccess
from registrations.models import Payment, Registration

from ..factories import RegistrationFactory, UserFactory
from .helpers import answered_participant, fill_roster, portal_url, program_led_by

# Committed writes, as in production: rows written inside one transaction share its id.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the kept roster needs PostgreSQL's xmin"
    ),
]


@pytest.fixture
def teacher(client):
    user = UserFactory(name="Teacher One")
    client.force_login(user)
    return user


def roster(client, program) -> str:
    response = client.get(portal_url("roster", program))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return response.content.decode()


def test_an_unchanged_roster_is_given_again_in_fewer_queries(client, teacher):
    program = program_led_by(teacher, capacity=250)
    fill_roster(program, 30)
    with CaptureQueriesContext(connection) as first:
        fresh = roster(client, program)
    with CaptureQueriesContext(connection) as again:
        kept = roster(client, program)
    assert kept == fresh.replace(*_tokens(fresh, kept))
    # The person, the program (its sessions and questions are not read again), the one
    # question whether anything changed, and the record that health answers were shown:
    # the same whatever the roster holds.
    assert len(again) == 4 < len(first)


def _tokens(first: str, second: str) -> tuple[str, str]:
    """Each reader gets their own CSRF token (the sign-out form): the rest is equal."""
    marker = 'name="csrfmiddlewaretoken" value="'
    return (
        first.split(marker)[1].split('"')[0],
        second.split(marker)[1].split('"')[0],
    )


def test_the_kept_roster_equals_a_fresh_one_apart_from_the_token(client, teacher):
    program = program_led_by(teacher, capacity=250)
    fill_roster(program, 10)
    fresh = roster(client, program)
    kept = roster(client, program)
    old, new = _tokens(fresh, kept)
    assert old != new
    assert kept == fresh.replace(old, new)
    assert "Sign out" in kept


def test_attendance_marked_shows_at_once(client, teacher):
    program = program_led_by(teacher, capacity=250)
    registration = RegistrationFactory(program=program, name="Grace Hopper")
    assert "0 of 8" in roster(client, program)
    Attendance.objects.create(
        registration=registration, session=program.sessions.first(), present=True
    )
    assert "1 of 8" in roster(client, program)


def test_a_bulk_update_and_a_deletion_show_at_once(client, teacher):
    program = program_led_by(teacher, capacity=250)
    first = RegistrationFactory(program=program, name="Grace Hopper")
    second = RegistrationFactory(program=program, name="Alan Turing")
    assert "Grace Hopper" in roster(client, program)
    # No signal, no save(): the kind of write a data erasure makes.
    Registration.objects.filter(pk=first.pk).update(name="Erased")
    page = roster(client, program)
    assert "Grace Hopper" not in page and "Erased" in page
    Payment.objects.create(
        registration=second,
        checkout_session_id="cs_test_turing",
        amount_cents=45000,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )
    assert "Paid $450" in roster(client, program)
    Registration.objects.get(pk=first.pk).delete()
    assert "Erased" not in roster(client, program)


def test_a_lapsing_hold_shows_without_any_write(client, teacher):
    program = program_led_by(teacher, capacity=250)
    RegistrationFactory(
        program=program,
        status=Registration.Status.PENDING,
        hold_expires_at=timezone.now() + timedelta(minutes=10),
    )
    assert "<dt>Awaiting payment</dt><dd>1</dd>" in roster(client, program)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert "<dt>Awaiting payment</dt><dd>0</dd>" in roster(client, program)


def test_every_view_of_health_answers_is_recorded_kept_or_not(client, teacher):
    program = program_led_by(teacher, capacity=250)
    answered_participant(program)
    roster(client, program)
    roster(client, program)
    assert SensitiveAccess.objects.filter(program=program).count() == 2


def test_a_message_waiting_is_shown_once_and_never_kept(client, teacher, rf):
    program = program_led_by(teacher, capacity=250)
    fill_roster(program, 3)
    roster(client, program)
    storage = CookieStorage(rf.get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Saved: a note.")])
    assert "Saved: a note." in roster(client, program)
    assert "Saved: a note." not in roster(client, program)
