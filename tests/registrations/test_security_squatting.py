"""Seats cannot be squatted, people cannot be enumerated, and bad input is refused.

Issue 9: holds and waitlist joins are rate limited per client and per address; one client
holds only a few live seats of a program; a waitlist entry gets no seat until its
address is confirmed; the registration and waitlist forms tell a stranger nothing about
who is registered; names of invisible characters are refused; a repeated reference is
drawn again rather than failing.
"""

import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import checks
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboundEmail
from programs.models import Question
from registrations import services
from registrations.models import (
    REFERENCE_ALPHABET,
    Registration,
    WaitlistEntry,
)
from registrations.seats import program_seats_left

from ..factories import (
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from ..helpers import form_data, url, without_csrf

pytestmark = pytest.mark.django_db

ANOTHER_CLIENT = "203.0.113.9"


def join_url(program):
    return reverse("registrations:waitlist_join", args=[program.slug])


def entry_url(entry):
    return reverse("registrations:waitlist_entry", args=[entry.token])


def full_program(**kwargs):
    program = ProgramFactory(capacity=1, **kwargs)
    RegistrationFactory(program=program, email="holder@example.com")
    return program


@pytest.fixture
def limits(settings):
    """Sets one scope's limits for a test: limits("register", client="2/h")."""

    def set_limits(scope, *, client="100/h", email="100/h"):
        settings.FORM_RATE_LIMITS = {
            **settings.FORM_RATE_LIMITS,
            scope: {"client": client, "email": email},
        }

    return set_limits


# --- Rate limits ----------------------------------------------------------------------


def test_security_registration_rate_limit_per_client_answers_429_and_keeps_the_form(
    client, program, limits, stripe_standin
):
    limits("register", client="2/h")
    question = QuestionFactory(program=program, text="Why now?", kind=Question.Kind.LONG_TEXT)
    for n in range(2):
        data = form_data(program, email=f"p{n}@example.com", **{f"q_{question.pk}": "Calm."})
        assert client.post(url(program), data).status_code == 303

    typed = form_data(program, name="Third Person", email="third@example.com")
    typed[f"q_{question.pk}"] = "Kept, every word."
    response = client.post(url(program), typed)
    page = response.content.decode()
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert "Please try again in about" in page and "No seat was held" in page
    assert 'value="Third Person"' in page and 'value="third@example.com"' in page
    assert "Kept, every word." in page
    assert not Registration.objects.filter(email="third@example.com").exists()

    # Someone else, on another connection, is not held back.
    other = client.post(url(program), typed, REMOTE_ADDR=ANOTHER_CLIENT)
    assert other.status_code == 303
    assert Registration.objects.filter(email="third@example.com").exists()


def test_security_registration_rate_limit_per_email_holds_across_clients(
    program, limits, stripe_standin
):
    limits("register", email="2/h")
    # Three people on three connections, each typing the same address.
    first, second, third = (Client(REMOTE_ADDR=f"198.51.100.{n}") for n in range(3))
    assert first.post(url(program), form_data(program)).status_code == 303
    assert second.post(url(program), form_data(program)).status_code == 200  # "check your email"
    assert third.post(url(program), form_data(program)).status_code == 429
    # The owner heard of the second attempt only: a refused attempt sends nothing.
    assert OutboundEmail.objects.filter(recipient="ada@example.com").count() == 1
    other = third.post(url(program), form_data(program, email="bea@example.com"))
    assert other.status_code == 303


def test_security_waitlist_rate_limits_answer_429_and_keep_the_form(client, limits):
    program = full_program()
    limits("waitlist", client="2/h", email="100/h")
    for n in range(2):
        data = {"name": "Bea", "email": f"bea{n}@example.com"}
        assert client.post(join_url(program), data).status_code == 200
    response = client.post(join_url(program), {"name": "Cal Example", "email": "cal@example.com"})
    page = response.content.decode()
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert 'value="Cal Example"' in page and 'value="cal@example.com"' in page
    assert "Nothing has changed on the waitlist" in page
    assert not WaitlistEntry.objects.filter(email="cal@example.com").exists()

    limits("waitlist", client="100/h", email="1/h")
    data = {"name": "Dee", "email": "dee@example.com"}
    assert client.post(join_url(program), data, REMOTE_ADDR="198.51.100.1").status_code == 200
    assert client.post(join_url(program), data, REMOTE_ADDR="198.51.100.2").status_code == 429
    # One confirmation email, not one per attempt.
    assert OutboundEmail.objects.filter(recipient="dee@example.com").count() == 1


def test_security_rate_limits_are_counted_in_the_shared_cache(client, limits, stripe_standin):
    """The count lives in Django's cache (Redis with REDIS_URL, shared by every web
    process), not in the process: emptying the cache is what lets the client in again."""
    program = full_program()
    limits("waitlist", client="1/h")
    client.post(join_url(program), {"name": "Bea", "email": "bea@example.com"})
    again = {"name": "Bea", "email": "b@example.com"}
    assert client.post(join_url(program), again).status_code == 429
    cache.clear()
    assert client.post(join_url(program), again).status_code == 200


def test_security_rate_limits_and_the_hold_cap_are_read_from_the_environment():
    environment = {
        **os.environ,
        "REGISTER_RATE_LIMIT_PER_CLIENT": "7/10m",
        "WAITLIST_RATE_LIMIT_PER_EMAIL": "2/d",
        "LIVE_HOLDS_PER_CLIENT": "5",
        "DJANGO_SETTINGS_MODULE": "omwellness.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.FORM_RATE_LIMITS['register']['client'], "
        "s.FORM_RATE_LIMITS['waitlist']['email'], s.LIVE_HOLDS_PER_CLIENT)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["7/10m", "2/d", "5"]


def test_security_a_mistyped_limit_stops_the_deploy_check(settings):
    settings.FORM_RATE_LIMITS = {
        **settings.FORM_RATE_LIMITS,
        "register": {"client": "20/h", "email": "five an hour"},
    }
    (error,) = [error for error in checks.run_checks() if error.id == "omwellness.E001"]
    assert "'register'" in error.msg and "'email'" in error.msg


def test_security_with_redis_down_the_forms_stay_open_and_say_so_in_the_log(
    client, settings, limits, caplog
):
    """Registration stays open while the counts cannot be kept (the database cap on live
    holds still applies); the log says each time a limit was not counted."""
    limits("waitlist", client="1/h", email="1/h")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens here
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }
    program = full_program()
    for n in range(2):
        data = {"name": "Bea", "email": f"bea{n}@example.com"}
        assert client.post(join_url(program), data).status_code == 200
    assert WaitlistEntry.objects.count() == 2
    assert "not counted: the cache is unreachable" in caplog.text


# --- One client, a few live seats --------------------------------------------------------


def test_security_one_client_holds_at_most_the_set_number_of_live_seats(
    client, settings, stripe_standin
):
    settings.LIVE_HOLDS_PER_CLIENT = 3
    program = ProgramFactory(capacity=10)
    for n in range(3):
        response = client.post(url(program), form_data(program, email=f"made-up{n}@example.com"))
        assert response.status_code == 303
    fourth = client.post(url(program), form_data(program, email="made-up3@example.com"))
    assert fourth.status_code == 422
    assert "already being held from your connection" in fourth.content.decode()
    assert program.registrations.count() == 3

    # What is stored is a keyed hash of the address, the same for one client.
    hashes = set(program.registrations.values_list("client_hash", flat=True))
    assert len(hashes) == 1
    (stored,) = hashes
    assert len(stored) == 64 and "127.0.0.1" not in stored

    # Another client is not affected, and a paid seat frees room for more.
    other = client.post(
        url(program), form_data(program, email="other@example.com"), REMOTE_ADDR=ANOTHER_CLIENT
    )
    assert other.status_code == 303
    assert set(program.registrations.values_list("client_hash", flat=True)) != hashes
    paid = program.registrations.filter(client_hash=stored).first()
    stripe_standin.pay(paid.payments.get().checkout_session_id)
    services.registration_fulfill(checkout_session_id=paid.payments.get().checkout_session_id)
    again = client.post(url(program), form_data(program, email="made-up3@example.com"))
    assert again.status_code == 303


def test_security_the_cap_is_decided_for_a_program_and_a_waitlist_offer_is_not_counted(
    client, settings, stripe_standin
):
    settings.LIVE_HOLDS_PER_CLIENT = 1
    program, elsewhere = ProgramFactory(capacity=2), ProgramFactory()
    assert client.post(url(program), form_data(program)).status_code == 303
    # Another program is another count.
    assert client.post(url(elsewhere), form_data(elsewhere)).status_code == 303
    # A seat offered from the waitlist is already the person's, from any connection.
    RegistrationFactory(program=program)
    entry = WaitlistEntryFactory(program=program, email="offered@example.com")
    services.registration_cancel(registration=program.registrations.get(status="confirmed"))
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    offered = client.post(
        url(program) + f"?offer={entry.token}",
        form_data(program, email="offered@example.com", offer=entry.token),
    )
    assert offered.status_code == 303


def test_security_renewing_a_lapsed_hold_counts_toward_the_cap(client, settings, stripe_standin):
    settings.LIVE_HOLDS_PER_CLIENT = 2
    program = ProgramFactory(capacity=10)
    for n in range(2):
        client.post(url(program), form_data(program, email=f"h{n}@example.com"))
    lapsed = program.registrations.get(email="h0@example.com")
    Registration.objects.filter(pk=lapsed.pk).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.post(url(program), form_data(program, email="h2@example.com")).status_code == 303

    response = client.post(reverse("registrations:pay", args=[lapsed.reference]), follow=True)
    assert "already being held from your connection" in response.content.decode()
    lapsed.refresh_from_db()
    assert not lapsed.hold_is_live()
    assert program.registrations.holding_seats().count() == 2


# --- Waitlist entries confirm their address --------------------------------------------------


def test_security_unconfirmed_waitlist_entry_never_holds_a_seat(client):
    program = full_program()
    response = client.post(join_url(program), {"name": "Bea", "email": "bea@example.com"})
    assert "Check your email to confirm" in response.content.decode()
    entry = WaitlistEntry.objects.get()
    assert entry.status == WaitlistEntry.Status.UNCONFIRMED
    assert entry.token not in response.content.decode()  # only the email carries the link

    services.registration_cancel(registration=program.registrations.get())
    services.waitlist_offers_expire()
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.UNCONFIRMED
    assert program_seats_left(program=program) == 1
    assert not OutboundEmail.objects.filter(kind="waitlist_offer").exists()

    confirmation = OutboundEmail.objects.get(kind="waitlist_confirm", recipient="bea@example.com")
    assert entry_url(entry) in confirmation.body_text
    assert "awaits confirmation" in client.get(entry_url(entry)).content.decode()
    client.post(entry_url(entry), {"action": "confirm"})
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert OutboundEmail.objects.filter(kind="waitlist_offer", recipient="bea@example.com").exists()


def test_security_only_confirmed_entries_are_offered_seats(client):
    program = full_program()
    client.post(join_url(program), {"name": "First", "email": "first@example.com"})
    client.post(join_url(program), {"name": "Second", "email": "second@example.com"})
    first = WaitlistEntry.objects.get(email="first@example.com")
    second = WaitlistEntry.objects.get(email="second@example.com")
    client.post(entry_url(second), {"action": "confirm"})

    services.registration_cancel(registration=program.registrations.get())
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (
        WaitlistEntry.Status.UNCONFIRMED,
        WaitlistEntry.Status.OFFERED,
    )


def test_security_offer_duration_stays_a_setting(client, settings):
    settings.WAITLIST_OFFER_HOURS = 5
    program = full_program()
    assert "for 5 hours" in client.get(join_url(program)).content.decode()
    entry = services.waitlist_join(program=program, name="Bea", email="bea@example.com")
    services.registration_cancel(registration=program.registrations.get())
    now = timezone.now()
    entry = services.waitlist_confirm(entry=entry, now=now)
    assert entry.offer_expires_at == now + timedelta(hours=5)


def test_security_waitlist_page_and_my_registrations_say_an_entry_awaits_confirmation(client):
    person = UserFactory(email="bea@example.com")
    program = full_program()
    client.post(join_url(program), {"name": "Bea", "email": "bea@example.com"})
    entry = WaitlistEntry.objects.get()
    page = client.get(entry_url(entry)).content.decode()
    assert "awaits confirmation" in page and "Confirm my place" in page

    client.force_login(person)
    mine = client.get(reverse("registrations:list")).content.decode()
    assert program.title in mine and "Awaiting confirmation" in mine

    client.post(entry_url(entry), {"action": "confirm"})
    mine = client.get(reverse("registrations:list")).content.decode()
    assert "Awaiting confirmation" not in mine and "Waiting" in mine


def test_security_staff_can_remove_an_unconfirmed_entry(client, staff_user):
    """Someone put on a waitlist by another person's hand can ask the centre to remove it."""
    entry = WaitlistEntryFactory(program=full_program(), status=WaitlistEntry.Status.UNCONFIRMED)
    client.force_login(staff_user)
    client.post(
        reverse("admin:registrations_waitlistentry_changelist"),
        {"action": "remove_from_waitlist", ACTION_CHECKBOX_NAME: [entry.pk]},
    )
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT


# --- The forms reveal nobody ---------------------------------------------------------------


def test_security_registration_form_answers_a_stranger_alike_whatever_the_registration(
    client, stripe_standin
):
    program = ProgramFactory()
    confirmed = RegistrationFactory(program=program, email="confirmed@example.com")
    pending = RegistrationFactory(
        program=program,
        email="pending@example.com",
        status=Registration.Status.PENDING,
        hold_expires_at=timezone.now() + timedelta(minutes=20),
    )
    pages = []
    for registration in (confirmed, pending):
        response = client.post(url(program), form_data(program, email=registration.email))
        page = response.content.decode()
        assert response.status_code == 200
        assert "Check your email" in page
        for secret in (registration.reference, registration.name, "already", "awaiting"):
            assert secret not in page
        pages.append(without_csrf(page.replace(registration.email, "ADDRESS")))
        # The owner, and only the owner, hears about it, with the way back in.
        link = OutboundEmail.objects.get(kind="registration_link", recipient=registration.email)
        assert registration.reference in link.body_text
        assert registration.get_absolute_url() in link.body_text
    assert pages[0] == pages[1]
    assert program.registrations.count() == 2


def test_security_the_owner_still_carries_on_to_payment(client, stripe_standin):
    program = ProgramFactory()
    owner = UserFactory(email="owner@example.com")
    hold = RegistrationFactory(
        program=program,
        user=owner,
        email="owner@example.com",
        status=Registration.Status.PENDING,
        hold_expires_at=timezone.now() + timedelta(minutes=20),
    )
    client.force_login(owner)
    page = client.post(url(program), form_data(program, email="owner@example.com")).content.decode()
    assert "You already have a registration" in page and hold.reference in page
    assert reverse("registrations:pay", args=[hold.reference]) in page
    assert not OutboundEmail.objects.filter(kind="registration_link").exists()
    response = client.post(reverse("registrations:pay", args=[hold.reference]))
    assert response.status_code == 303
    assert response["Location"] == hold.payments.get().checkout_url


def test_security_waitlist_join_answers_alike_for_new_waiting_and_unconfirmed_addresses(client):
    program = full_program()
    waiting = WaitlistEntryFactory(program=program, email="waiting@example.com")
    unconfirmed = WaitlistEntryFactory(
        program=program, email="unconfirmed@example.com", status=WaitlistEntry.Status.UNCONFIRMED
    )
    pages = []
    for address in ("new@example.com", "waiting@example.com", "unconfirmed@example.com"):
        response = client.post(join_url(program), {"name": "Someone", "email": address})
        assert response.status_code == 200
        pages.append(without_csrf(response.content.decode().replace(address, "ADDRESS")))
    assert pages[0] == pages[1] == pages[2]
    assert "Check your email to confirm" in pages[0]
    assert WaitlistEntry.objects.count() == 3

    new = WaitlistEntry.objects.get(email="new@example.com")
    sent = {
        email.recipient: email for email in OutboundEmail.objects.exclude(kind="waitlist_joined")
    }
    assert sent["new@example.com"].kind == "waitlist_confirm"
    assert entry_url(new) in sent["new@example.com"].body_text
    assert sent["waiting@example.com"].kind == "waitlist_link"
    assert entry_url(waiting) in sent["waiting@example.com"].body_text
    assert sent["unconfirmed@example.com"].kind == "waitlist_confirm"
    assert entry_url(unconfirmed) in sent["unconfirmed@example.com"].body_text


def test_security_a_waitlist_entry_belongs_to_the_address_owner_not_whoever_is_signed_in(client):
    program = full_program()
    stranger = UserFactory(email="stranger@example.com")
    client.force_login(stranger)
    client.post(join_url(program), {"name": "Bea", "email": "bea@example.com"})
    entry = WaitlistEntry.objects.get()
    assert entry.user is None
    assert program.title not in client.get(reverse("registrations:list")).content.decode()


# --- Names -------------------------------------------------------------------------------

INVISIBLE_NAMES = [
    "\u202e\u202c",  # bidi override and pop
    "\u200b\u200c\u200d\u2060",  # zero-width space, non-joiner, joiner, word joiner
    "\u2066\u2069 \u00ad",  # isolate, pop, a space, soft hyphen
    "\u3164\u3164",  # Hangul fillers: letters that draw nothing
    "\ufeff\t\u180e",
]


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_security_names_of_only_invisible_characters_are_refused(client, name, stripe_standin):
    program = ProgramFactory()
    response = client.post(url(program), form_data(program, name=name))
    assert response.status_code == 422
    assert "Please tell us your name." in response.content.decode()
    response = client.post(join_url(full_program()), {"name": name, "email": "bea@example.com"})
    assert "Please tell us your name." in response.content.decode()
    assert not Registration.objects.exclude(email="holder@example.com").exists()
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize("name", ["12345", "--- !!!", "\u200b 42 \u202e"])
def test_security_a_name_needs_at_least_one_letter(client, name, stripe_standin):
    program = ProgramFactory()
    response = client.post(url(program), form_data(program, name=name))
    assert response.status_code == 422
    assert "at least one letter" in response.content.decode()
    assert not Registration.objects.exists()


def test_security_format_characters_are_stripped_from_names(client, stripe_standin):
    program = ProgramFactory()
    typed = "\u202eAda\u200b Lovelace\u2069\u00ad"
    assert client.post(url(program), form_data(program, name=typed)).status_code == 303
    assert Registration.objects.get().name == "Ada Lovelace"
    client.post(
        join_url(full_program()), {"name": "Zoë\u200d  O\u2019Neil\u202c", "email": "z@example.com"}
    )
    assert WaitlistEntry.objects.get().name == "Zoë O\u2019Neil"


# --- References ------------------------------------------------------------------------


def test_security_a_repeated_reference_is_drawn_again_not_a_500(
    client, program, monkeypatch, stripe_standin
):
    taken = RegistrationFactory(program=program, reference="OMW-22222")
    real_choice = secrets.choice
    repeats = iter("22222")

    def choice(sequence):
        # The first reference drawn repeats the one already taken; then chance as usual.
        if sequence == REFERENCE_ALPHABET:
            return next(repeats, None) or real_choice(sequence)
        return real_choice(sequence)

    monkeypatch.setattr(secrets, "choice", choice)
    response = client.post(url(program), form_data(program))
    assert response.status_code == 303
    created = program.registrations.exclude(pk=taken.pk).get()
    assert created.reference != taken.reference and created.reference.startswith("OMW-")
    assert created.status == Registration.Status.PENDING
