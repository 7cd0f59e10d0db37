import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registrations import services
from registrations.models import Registration

from ..factories import ProgramFactory, RegistrationFactory, WaitlistEntryFactory
from ..helpers import register

pytestmark = pytest.mark.django_db


def seats_line(client, program) -> str:
    page = client.get(reverse("programs:detail", args=[program.slug])).content.decode()
    return page.split("<dt>Seats</dt><dd>")[1].split("</dd>")[0]


def test_anonymous_visitors_share_a_cached_page(client, django_assert_num_queries):
    program = ProgramFactory(capacity=5)
    seats_line(client, program)
    with django_assert_num_queries(0):
        assert seats_line(client, program) == "5 of 5 left"


def test_a_registration_updates_seats_left_at_once(client, django_capture_on_commit_callbacks):
    program = ProgramFactory(capacity=5)
    assert seats_line(client, program) == "5 of 5 left"
    with django_capture_on_commit_callbacks(execute=True):
        register(program)
    assert seats_line(client, program) == "4 of 5 left"


def test_a_cancellation_and_a_schedule_change_show_at_once(
    client, django_capture_on_commit_callbacks
):
    program = ProgramFactory(capacity=5)
    registration = RegistrationFactory(program=program)
    assert seats_line(client, program) == "4 of 5 left"
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=registration)
    assert seats_line(client, program) == "5 of 5 left"
    session = program.sessions.first()
    with django_capture_on_commit_callbacks(execute=True):
        session.title = "Moved and renamed"
        session.save()
    assert "Moved and renamed" in client.get(program.get_absolute_url()).content.decode()


def test_a_lapsed_hold_shows_within_a_second(client):
    """No write happens when a hold lapses; the page's one-second life covers it.

    Real time, not a frozen clock: the cache (Redis in CI) expires entries by its own.
    """
    program = ProgramFactory(capacity=5)
    RegistrationFactory(
        program=program, status="pending", hold_expires_at=timezone.now() + timedelta(seconds=1)
    )
    assert seats_line(client, program) == "4 of 5 left"
    time.sleep(1.2)
    assert seats_line(client, program) == "5 of 5 left"


def test_signed_in_people_share_the_page_with_their_own_header(
    client, user, django_capture_on_commit_callbacks
):
    program = ProgramFactory(capacity=5)
    visitor = Client()
    assert seats_line(visitor, program) == "5 of 5 left"  # kept, for everyone
    client.force_login(user)
    page = client.get(program.get_absolute_url()).content.decode()
    assert "5 of 5 left" in page
    assert "My registrations" in page and "Sign out" in page and "Sign in" not in page
    anonymous_page = visitor.get(program.get_absolute_url()).content.decode()
    assert "Sign in" in anonymous_page and "My registrations" not in anonymous_page
    # Every reader gets a working CSRF token of their own in the page's forms.
    assert page.count("csrfmiddlewaretoken") >= 2
    assert "{{visitor-csrf-token}}" not in page + anonymous_page
    # A booking shows to signed-in readers at once too: the kept page is dropped.
    with django_capture_on_commit_callbacks(execute=True):
        register(program)
    assert seats_line(client, program) == "4 of 5 left"


def test_a_change_no_commit_hook_reports_shows_within_a_second(client, user):
    program = ProgramFactory(capacity=5)
    client.force_login(user)
    assert seats_line(client, program) == "5 of 5 left"
    RegistrationFactory(program=program)  # no commit hook runs: the cache is not told
    time.sleep(1.2)
    assert seats_line(client, program) == "4 of 5 left"


@pytest.mark.parametrize("count", [1, 30])
def test_signed_in_program_page_reads_the_person_only(
    client, user, django_assert_num_queries, count
):
    """Once kept, a signed-in reader's program page costs one query (the person and their
    facilitator profile, joined), whatever the program holds; the session is in the cache."""
    program = ProgramFactory(capacity=100, sessions__weeks=count)
    RegistrationFactory.create_batch(count, program=program)
    client.force_login(user)
    seats_line(client, program)
    with django_assert_num_queries(1):
        assert seats_line(client, program) == f"{100 - count} of 100 left"


def test_a_draft_shown_to_staff_is_never_kept_for_others(client, admin_client):
    program = ProgramFactory(status="draft")
    assert admin_client.get(program.get_absolute_url()).status_code == 200
    assert client.get(program.get_absolute_url()).status_code == 404


def test_kept_anonymous_page_keeps_every_security_header(client):
    program = ProgramFactory(capacity=5)
    first = client.get(program.get_absolute_url())
    kept = client.get(program.get_absolute_url())
    for header in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
    ):
        assert kept.headers.get(header) == first.headers.get(header) is not None, header
    assert "csrftoken" in kept.cookies


def test_a_waitlist_offer_takes_a_seat_at_once(client, django_capture_on_commit_callbacks):
    # The booking core tells the catalogue's cache (registrations/signals.py).
    program = ProgramFactory(capacity=5)
    assert seats_line(client, program) == "5 of 5 left"
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        WaitlistEntryFactory(
            program=program,
            status="offered",
            offered_at=now,
            offer_expires_at=now + timedelta(hours=1),
        )
    assert seats_line(client, program) == "4 of 5 left"


def test_a_deleted_registration_frees_its_seat_at_once(client, django_capture_on_commit_callbacks):
    program = ProgramFactory(capacity=5)
    registration = RegistrationFactory(program=program)
    assert seats_line(client, program) == "4 of 5 left"
    with django_capture_on_commit_callbacks(execute=True):
        Registration.objects.filter(pk=registration.pk).get().delete()
    assert seats_line(client, program) == "5 of 5 left"
