""" "My registrations" is kept while nothing it shows changes (omwellness/kept_pages.py).

Committed writes, as in production (rows written in one transaction share its id), on
PostgreSQL, which tells whether rows changed; SQLite draws the page afresh each time.
"""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrations.models import Payment, Registration

from ..factories import ProgramFactory, RegistrationFactory, UserFactory, WaitlistEntryFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="kept pages need PostgreSQL's xmin"
    ),
]


@pytest.fixture
def person(client):
    user = UserFactory(email="sam@example.com")
    client.force_login(user)
    return user


def my_page(client) -> str:
    response = client.get(reverse("registrations:list"))
    assert response.status_code == 200
    return response.content.decode()


def test_an_unchanged_list_costs_three_queries_whatever_it_holds(client, person):
    for n in range(5):
        RegistrationFactory(program=ProgramFactory(title=f"Course {n}"), user=person)
    first = my_page(client)
    with CaptureQueriesContext(connection) as again:
        kept = my_page(client)
    assert all(f"Course {n}" in kept for n in range(5))
    assert "Sign out" in kept and "{{visitor-csrf-token}}" not in kept
    # The person, their confirmed addresses, and whether anything changed.
    assert len(again) == 3
    assert kept.count("Course") == first.count("Course")


def test_a_payment_a_new_registration_and_a_program_change_show_at_once(client, person):
    registration = RegistrationFactory(
        program=ProgramFactory(title="Course A"), user=person, amount_due_cents=45000
    )
    assert "Course A" in my_page(client)
    registration.program.title = "Course A, renamed"
    registration.program.save()
    assert "Course A, renamed" in my_page(client)
    # Made with the person's address by someone who was not signed in: theirs too.
    RegistrationFactory(program=ProgramFactory(title="Course B"), email="SAM@example.com")
    assert "Course B" in my_page(client)
    Payment.objects.create(
        registration=registration,
        checkout_session_id="cs_test_kept",
        amount_cents=45000,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )
    assert "Payment summary" in my_page(client)
    Registration.objects.filter(pk=registration.pk).update(status=Registration.Status.CANCELLED)
    assert "Past and cancelled" in my_page(client)


def test_a_lapsing_hold_and_a_place_in_line_show_without_a_write_of_theirs(client, person):
    RegistrationFactory(
        program=ProgramFactory(title="Held course"),
        user=person,
        status=Registration.Status.PENDING,
        hold_expires_at=timezone.now() + timedelta(minutes=10),
    )
    assert "Seat no longer held" not in my_page(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert "Seat no longer held" in my_page(client)
    full = ProgramFactory(title="Full course", capacity=1)
    RegistrationFactory(program=full)
    ahead = WaitlistEntryFactory(program=full, status="waiting")
    WaitlistEntryFactory(program=full, status="waiting", user=person, email=person.email)
    assert "2nd in line" in my_page(client)
    ahead.delete()  # someone else's row: the person moves up all the same
    assert "1st in line" in my_page(client)


def test_another_persons_list_is_never_given(client, person):
    RegistrationFactory(program=ProgramFactory(title="Course of Sam"), user=person)
    assert "Course of Sam" in my_page(client)
    other = UserFactory(email="kim@example.com")
    client.force_login(other)
    page = my_page(client)
    assert "Course of Sam" not in page


def test_an_address_confirmed_later_brings_its_registrations(client, person):
    RegistrationFactory(
        program=ProgramFactory(title="Under another address"), email="s@example.org"
    )
    assert "Under another address" not in my_page(client)
    EmailAddress.objects.create(user=person, email="s@example.org", verified=True)
    assert "Under another address" in my_page(client)
