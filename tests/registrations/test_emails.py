"""What each email says, and what it carries: content, links, and the calendar file."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from outbox.models import OutboundEmail
from programs.models import Program
from registrations import emails
from registrations.models import Answer, Payment, Registration, WaitlistEntry

from ..factories import (
    FacilitatorFactory,
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Runs an email function in a transaction, as services do, and returns what went out."""

    def run(function, **kwargs):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            function(**kwargs)
        return mail.outbox[before:]

    return run


def html_links(message) -> list[str]:
    html = message.alternatives[0][0] if message.alternatives else ""
    return re.findall(r'href="([^"]+)"', html)


def text_links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def assert_links_absolute(message):
    links = html_links(message) + text_links(message)
    assert links
    for link in links:
        assert link.startswith(("https://", "http://")), link


def ics_events(message) -> list:
    (name, content, mimetype), *_ = message.attachments
    assert name.endswith(".ics") and mimetype == "text/calendar"
    return Calendar.from_ical(content).walk("VEVENT")


def paid(registration, cents=45000):
    Payment.objects.create(
        registration=registration,
        checkout_session_id=f"cs_{registration.pk}",
        amount_cents=cents,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )


def test_confirmation_says_what_when_where_what_was_paid_and_how_to_cancel(send):
    program = ProgramFactory(title="Mindful Self-Compassion", refund_days_before_start=7)
    registration = RegistrationFactory(program=program, name="Ada", price_label="Standard")
    paid(registration)

    (message,) = send(emails.confirmation, registration=registration)

    assert message.to == [registration.email]
    assert message.subject == (
        f"You're registered: Mindful Self-Compassion ({registration.reference})"
    )
    for body in (message.body, message.alternatives[0][0]):
        assert "You're registered, Ada" in body
        assert registration.reference in body
        assert "$450 CAD" in body
        assert "https://meet.example.com/secret-room" in body
        for session in program.sessions.all():
            local = timezone.localtime(session.starts_at)
            assert f"{local:%b} {local.day}, {local.year}" in body
        assert " ET" in body
        assert "full refund until" in body
        assert f"/registrations/{registration.reference}/cancel/" in body
        assert settings.SITE_URL + "/registrations/" in body
    assert_links_absolute(message)


def test_confirmation_carries_every_session_as_a_calendar_event(send):
    program = ProgramFactory()
    registration = RegistrationFactory(program=program)

    (message,) = send(emails.confirmation, registration=registration)

    events = ics_events(message)
    sessions = list(program.sessions.order_by("starts_at"))
    assert [str(e["UID"]) for e in events] == [f"{s.uid}@omwellness.ca" for s in sessions]
    assert [e.decoded("DTSTART") for e in events] == [s.starts_at for s in sessions]
    assert all(str(e.decoded("DTSTART").tzinfo) == "America/Toronto" for e in events)
    assert all(int(e["SEQUENCE"]) == 0 for e in events)
    assert all(str(e["LOCATION"]) == "https://meet.example.com/secret-room" for e in events)


def test_confirmation_links_a_guest_with_their_token_and_an_account_holder_without(send):
    guest = RegistrationFactory(user=None)
    member = RegistrationFactory(user=UserFactory())

    (to_guest,) = send(emails.confirmation, registration=guest)
    (to_member,) = send(emails.confirmation, registration=member)

    assert f"/registrations/{guest.reference}/?token={guest.access_token}" in to_guest.body
    assert f"/registrations/{member.reference}/" in to_member.body
    assert member.access_token not in to_member.body


def test_confirmation_of_a_free_place_in_person_names_the_venue_and_no_link(send):
    program = ProgramFactory(
        format=Program.Format.IN_PERSON, venue="12 Quiet Street, Toronto", meeting_link=""
    )
    registration = RegistrationFactory(program=program, amount_due_cents=0)

    (message,) = send(emails.confirmation, registration=registration)

    assert "No payment was due." in message.body
    assert "12 Quiet Street, Toronto" in message.body
    assert "meeting link" not in message.body
    assert all(str(e["LOCATION"]) == "12 Quiet Street, Toronto" for e in ics_events(message))


def test_confirmation_is_written_once_however_often_it_is_asked_for(send):
    registration = RegistrationFactory()

    sent = send(emails.confirmation, registration=registration)
    sent += send(emails.confirmation, registration=registration)

    assert len(sent) == 1
    assert OutboundEmail.objects.filter(reference=registration.reference).count() == 1


def test_sensitive_intake_answers_never_reach_an_email(send):
    program = ProgramFactory()
    facilitator = FacilitatorFactory(user=UserFactory())
    program.facilitators.add(facilitator)
    question = QuestionFactory(program=program, text="Health notes?", sensitive=True)
    registration = RegistrationFactory(program=program)
    Answer.objects.create(
        registration=registration,
        question=question,
        question_text=question.text,
        sensitive=True,
        value="A private heart condition",
    )

    sent = send(emails.confirmation, registration=registration)
    sent += send(emails.facilitators_notice, registration=registration, event="registered")

    assert len(sent) == 2
    for message in sent:
        assert "heart condition" not in message.body
        assert "heart condition" not in message.alternatives[0][0]


def test_payment_failed_offers_to_pay_again_while_the_seat_is_held(send):
    registration = RegistrationFactory(
        status=Registration.Status.PENDING,
        confirmed_at=None,
        hold_expires_at=timezone.now() + timedelta(minutes=20),
    )

    (message,) = send(emails.payment_failed, registration=registration)

    assert message.subject.startswith("Your payment did not go through")
    assert "We are holding your seat until" in message.body
    assert " ET" in message.body
    assert "Try the payment again" in message.alternatives[0][0]
    assert_links_absolute(message)


def test_payment_failed_after_the_hold_points_to_the_program(send):
    registration = RegistrationFactory(
        status=Registration.Status.EXPIRED,
        confirmed_at=None,
        hold_expires_at=timezone.now() - timedelta(minutes=1),
    )

    (message,) = send(emails.payment_failed, registration=registration)

    assert "no longer held" in message.body
    assert settings.SITE_URL + registration.program.get_absolute_url() in message.body


def test_late_payment_refund_says_the_program_filled_and_how_much_came_back(send):
    registration = RegistrationFactory(status=Registration.Status.REFUNDED)

    (message,) = send(emails.late_payment_refunded, registration=registration, refund_cents=45000)

    assert "had filled" in message.body
    assert "$450 CAD" in message.body
    assert "waitlist" in message.body


@pytest.mark.parametrize(
    ("refund_cents", "expected"), [(22500, "refunding $225 CAD"), (0, "No refund is due")]
)
def test_cancellation_states_the_refund(send, refund_cents, expected):
    registration = RegistrationFactory(status=Registration.Status.CANCELLED)

    (message,) = send(emails.cancellation, registration=registration, refund_cents=refund_cents)

    assert message.subject.startswith("Your registration is cancelled")
    assert expected in message.body
    assert registration.reference in message.body


def test_refund_is_sent_once_per_stripe_refund(send):
    registration = RegistrationFactory()

    first = send(emails.refund, registration=registration, refund_cents=5050, refund_id="re_1")
    again = send(emails.refund, registration=registration, refund_cents=5050, refund_id="re_1")
    other = send(emails.refund, registration=registration, refund_cents=1000, refund_id="re_2")

    assert len(first) == 1 and again == [] and len(other) == 1
    assert first[0].subject.startswith("Refund of $50.50")
    assert "we refunded $50.50 CAD" in first[0].body


def test_waitlist_emails_join_offer_with_personal_link_and_deadline_then_expiry(send):
    entry = WaitlistEntryFactory(name="Grace")

    (joined,) = send(emails.waitlist_joined, entry=entry)
    entry.status = WaitlistEntry.Status.OFFERED
    entry.offer_expires_at = timezone.now() + timedelta(hours=48)
    entry.save()
    (offer,) = send(emails.waitlist_offer, entry=entry)
    (expired,) = send(emails.waitlist_offer_expired, entry=entry)

    assert "you are on its waitlist" in joined.body
    assert f"{settings.SITE_URL}/waitlist/{entry.token}/accept/" in offer.body
    deadline = timezone.localtime(entry.offer_expires_at)
    assert f"{deadline:%B} {deadline.day}, {deadline.year} at" in offer.body
    assert "ET" in offer.body
    assert "next person on the waitlist" in expired.body
    for message in (joined, offer, expired):
        assert message.to == [entry.email]
        assert_links_absolute(message)


def test_facilitators_with_an_account_hear_of_registrations_and_cancellations(send):
    program = ProgramFactory(title="Calm Mornings")
    with_account = FacilitatorFactory(user=UserFactory(email="lead@example.com"))
    without_account = FacilitatorFactory(user=None)
    program.facilitators.add(with_account, without_account)
    registration = RegistrationFactory(program=program, name="Ada")

    registered = send(emails.facilitators_notice, registration=registration, event="registered")
    cancelled = send(emails.facilitators_notice, registration=registration, event="cancelled")

    assert [m.to for m in registered + cancelled] == [["lead@example.com"], ["lead@example.com"]]
    assert registered[0].subject == "Ada registered for Calm Mornings"
    assert cancelled[0].subject == "Ada cancelled Calm Mornings"
    assert f"/facilitate/{program.slug}/" in registered[0].body


def test_message_to_participants_reaches_confirmed_people_once(send):
    program = ProgramFactory()
    confirmed = RegistrationFactory.create_batch(2, program=program)
    RegistrationFactory(program=program, status=Registration.Status.CANCELLED)
    sender = UserFactory(name="The facilitator")
    counts = []

    def message_twice():
        for _ in range(2):
            counts.append(
                emails.message_participants(
                    program=program,
                    subject="Bring a blanket",
                    body="Week 2 is lying down.",
                    sender=sender,
                )
            )

    sent = send(message_twice)

    assert counts == [2, 2]
    assert sorted(m.to[0] for m in sent) == sorted(r.email for r in confirmed)
    assert "Week 2 is lying down." in sent[0].body
    assert sent[0].subject == f"Bring a blanket ({program.title})"


def test_every_html_email_is_readable_on_a_phone(send):
    registration = RegistrationFactory()

    (message,) = send(emails.confirmation, registration=registration)

    html = message.alternatives[0][0]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "max-width:600px" in html
    assert '<html lang="en">' in html
