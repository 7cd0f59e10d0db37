"""My registrations: what a participant sees of their own registrations, and can do."""

import dataclasses
from datetime import timedelta

import icalendar
import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from programs.models import Program
from registrations import services
from registrations.models import Payment, Registration, RegistrationLog, WaitlistEntry
from registrations.selectors import RegistrationView, my_registrations

from ..factories import (
    ProgramFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from ..stripe_fixtures import events_of

pytestmark = pytest.mark.django_db


def paid(registration, *, amount=45000, paid_at=None, checkout_session_id=None):
    """A paid Payment row as fulfilment leaves it (no Stripe call needed to show it)."""
    return Payment.objects.create(
        registration=registration,
        checkout_session_id=checkout_session_id or f"cs_test_{registration.reference}",
        payment_intent_id=f"pi_test_{registration.reference}",
        amount_cents=amount,
        status=Payment.Status.PAID,
        paid_at=paid_at or timezone.now(),
    )


def paid_through_stripe(program, standin, *, email, user=None):
    """A registration paid on the Stripe stand-in, the way a participant pays."""
    registration = services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name="Ada Example",
            email=email,
            phone="",
            price_option=program.price_options.first(),
            answers={},
        ),
        user=user,
    )
    services.checkout_start(registration=registration)
    standin.pay(registration.payments.get().checkout_session_id)
    for event in events_of(standin, "checkout.session.completed"):
        services.stripe_event_process(event=event)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    return registration


def test_list_shows_upcoming_then_past_and_cancelled_with_status(client, user):
    later = RegistrationFactory(
        user=user, email=user.email, program=ProgramFactory(title="Later term")
    )
    sooner = RegistrationFactory(
        user=user,
        email=user.email,
        program=ProgramFactory(title="Sooner term", sessions__starts_in=timedelta(days=3)),
    )
    past = RegistrationFactory(
        user=user,
        email=user.email,
        program=ProgramFactory(title="Last winter", sessions__starts_in=timedelta(days=-200)),
    )
    cancelled = RegistrationFactory(
        user=user,
        email=user.email,
        status=Registration.Status.CANCELLED,
        program=ProgramFactory(title="Changed my mind"),
    )
    client.force_login(user)

    page = client.get(reverse("registrations:list")).content.decode()

    upcoming_part, past_part = page.split("Past and cancelled")
    assert upcoming_part.index(sooner.program.title) < upcoming_part.index(later.program.title)
    assert past.program.title in past_part and cancelled.program.title in past_part
    assert "Cancelled" in past_part
    assert sooner.reference in upcoming_part


def test_list_includes_registrations_made_with_a_verified_email_before_signing_up(client, user):
    made_earlier = RegistrationFactory(email=user.email.upper(), user=None)
    client.force_login(user)
    page = client.get(reverse("registrations:list")).content.decode()
    assert made_earlier.program.title in page


def test_list_hides_other_peoples_and_unverified_emails_registrations(client, user):
    other = RegistrationFactory(program=ProgramFactory(title="Someone else's program"))
    EmailAddress.objects.create(user=user, email="second@example.com", verified=False)
    unverified = RegistrationFactory(
        email="second@example.com", program=ProgramFactory(title="Unproven address")
    )
    client.force_login(user)
    page = client.get(reverse("registrations:list")).content.decode()
    assert other.program.title not in page
    assert unverified.program.title not in page


def test_nothing_shows_before_the_account_email_is_verified(client):
    person = UserFactory(verified=False)
    person.save()  # the factory saves only verified users after setting the password
    RegistrationFactory(user=person, email=person.email, program=ProgramFactory(title="Mine"))
    client.force_login(person)
    page = client.get(reverse("registrations:list")).content.decode()
    assert "Confirm your email first" in page
    assert "Mine" not in page


def test_waitlist_entries_are_listed_and_can_be_left(client, user):
    entry = WaitlistEntryFactory(email=user.email, program=ProgramFactory(title="Full program"))
    client.force_login(user)
    page = client.get(reverse("registrations:list")).content.decode()
    leave_url = reverse("registrations:waitlist_leave", args=[entry.pk])
    assert "Full program" in page and leave_url in page

    confirm = client.get(leave_url)
    assert "Leave the waitlist?" in confirm.content.decode()
    response = client.post(leave_url)

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT
    after = client.get(reverse("registrations:list")).content.decode()
    assert "You have left the waitlist for Full program." in after
    assert leave_url not in after


def test_waitlist_link_with_its_token_works_without_an_account(client):
    entry = WaitlistEntryFactory()
    url = reverse("registrations:waitlist_leave", args=[entry.pk])
    assert client.get(url).status_code == 302  # to sign in
    client.post(url, {"token": entry.token})  # a token is a link's, never a form's
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING
    opened = client.get(url, {"token": entry.token})  # the emailed link: traded for a cookie
    assert opened.status_code == 302 and opened["Location"] == url
    response = client.post(url)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT


def test_detail_shows_schedule_meeting_link_and_receipt_for_a_confirmed_online_seat(client, user):
    registration = RegistrationFactory(user=user, email=user.email)
    paid(registration)
    client.force_login(user)

    page = client.get(registration.get_absolute_url()).content.decode()

    assert registration.reference in page
    assert "Week 1" in page and "Week 8" in page and " ET" in page
    assert registration.program.meeting_link in page
    assert reverse("registrations:calendar", args=[registration.reference]) in page
    assert reverse("registrations:receipt", args=[registration.reference]) in page
    assert reverse("registrations:cancel", args=[registration.reference]) in page


@pytest.mark.parametrize(
    ("status", "program_format"),
    [
        (Registration.Status.PENDING, Program.Format.ONLINE),
        (Registration.Status.CANCELLED, Program.Format.ONLINE),
        (Registration.Status.CONFIRMED, Program.Format.IN_PERSON),
    ],
)
def test_meeting_link_stays_private_unless_confirmed_for_an_online_program(
    client, user, status, program_format
):
    program = ProgramFactory(format=program_format, venue="12 Main St, Toronto")
    registration = RegistrationFactory(
        user=user,
        email=user.email,
        program=program,
        status=status,
        hold_expires_at=timezone.now() + timedelta(minutes=20),
    )
    client.force_login(user)
    page = client.get(registration.get_absolute_url()).content.decode()
    calendar = client.get(reverse("registrations:calendar", args=[registration.reference]))
    assert program.meeting_link not in page
    assert program.meeting_link not in calendar.content.decode()


def test_pending_hold_offers_to_continue_payment(client, user):
    registration = RegistrationFactory(
        user=user,
        email=user.email,
        status=Registration.Status.PENDING,
        hold_expires_at=timezone.now() + timedelta(minutes=20),
        confirmed_at=None,
    )
    client.force_login(user)
    page = client.get(registration.get_absolute_url()).content.decode()
    assert "Continue payment ($450)" in page
    assert reverse("registrations:pay", args=[registration.reference]) in page
    assert reverse("registrations:receipt", args=[registration.reference]) not in page


def test_calendar_file_carries_every_session_and_the_meeting_link(client, user):
    registration = RegistrationFactory(user=user, email=user.email)
    client.force_login(user)
    response = client.get(reverse("registrations:calendar", args=[registration.reference]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 8
    assert registration.program.meeting_link in str(events[0]["LOCATION"])


def test_receipt_shows_amount_date_and_reference(client, user):
    registration = RegistrationFactory(user=user, email=user.email, price_label="Standard")
    paid(registration, amount=45000)
    client.force_login(user)
    page = client.get(reverse("registrations:receipt", args=[registration.reference]))
    text = page.content.decode()
    assert page.status_code == 200
    assert registration.reference in text
    assert "$450" in text and "Standard" in text
    assert timezone.localdate().strftime("%B") in text
    assert "Total paid" in text


def test_no_receipt_for_an_unpaid_hold(client, user):
    registration = RegistrationFactory(
        user=user, email=user.email, status=Registration.Status.PENDING, confirmed_at=None
    )
    client.force_login(user)
    response = client.get(reverse("registrations:receipt", args=[registration.reference]))
    assert response.status_code == 404


def test_emailed_token_opens_the_registration_without_an_account(client):
    registration = RegistrationFactory()
    url = registration.get_absolute_url()
    assert client.get(url).status_code == 302
    assert client.get(url, {"token": "wrong-token"}).status_code == 302
    page = client.get(url, {"token": registration.access_token}, follow=True).content.decode()
    assert registration.reference in page
    # Links on the page keep working for the same person, without the token.
    assert registration.access_token not in page
    for name in ("calendar", "cancel"):
        address = reverse(f"registrations:{name}", args=[registration.reference])
        assert client.get(address).status_code == 200


def test_cancel_shows_the_policy_refund_then_refunds_it(client, user, stripe_standin):
    registration = paid_through_stripe(
        ProgramFactory(), stripe_standin, email=user.email, user=user
    )
    client.force_login(user)
    url = reverse("registrations:cancel", args=[registration.reference])

    page = client.get(url).content.decode()
    assert "You will get $450 back" in page

    response = client.post(url)

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    assert [r["amount"] for r in stripe_standin.refunds.values()] == [45000]
    log = RegistrationLog.objects.get(registration=registration, action="cancelled")
    assert log.actor == user
    assert "$450" in client.get(response["Location"]).content.decode()


def test_cancel_after_the_refund_deadline_shows_and_gives_no_refund(client, user, stripe_standin):
    program = ProgramFactory(sessions__starts_in=timedelta(days=3))
    registration = paid_through_stripe(program, stripe_standin, email=user.email, user=user)
    client.force_login(user)
    url = reverse("registrations:cancel", args=[registration.reference])

    page = client.get(url).content.decode()
    assert "No refund is due now" in page

    client.post(url)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert stripe_standin.refunds == {}


def test_cancel_by_emailed_token_without_an_account(client):
    registration = RegistrationFactory(amount_due_cents=0)
    url = reverse("registrations:cancel", args=[registration.reference])
    assert client.post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED  # not signed in: nothing done

    client.get(url, {"token": registration.access_token})  # the emailed link, traded for a cookie
    response = client.post(url)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert response["Location"] == registration.get_absolute_url()


def test_a_past_program_cannot_be_cancelled(client, user):
    registration = RegistrationFactory(
        user=user,
        email=user.email,
        program=ProgramFactory(sessions__starts_in=timedelta(days=-100)),
    )
    client.force_login(user)
    page = client.get(registration.get_absolute_url()).content.decode()
    assert "Cancel this registration" not in page
    client.post(reverse("registrations:cancel", args=[registration.reference]))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_structure_my_registrations_get_frozen_views_and_leave_the_rows_undecorated(user):
    registration = RegistrationFactory(user=user, email=user.email)
    paid(registration, amount=45000)
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    (shown,) = my_registrations(user=user).upcoming
    assert isinstance(shown, RegistrationView)
    assert shown.registration == registration and shown.amount_paid.net_cents == 45000
    with pytest.raises(dataclasses.FrozenInstanceError):
        shown.can_cancel = False  # type: ignore[misc]
    assert not hasattr(shown.registration, "paid_cents")
