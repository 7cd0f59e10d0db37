from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Question
from registrations import services
from registrations.models import Payment, Registration, WaitlistEntry

from ..factories import ProgramFactory, QuestionFactory, RegistrationFactory
from ..helpers import form_data, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(program):
    return [
        QuestionFactory(program=program, text="Why now?", kind=Question.Kind.LONG_TEXT),
        QuestionFactory(
            program=program,
            text="Meditated before?",
            kind=Question.Kind.CHOICE,
            choices="Never\nA little\nOften",
        ),
        QuestionFactory(
            program=program, text="In therapy?", kind=Question.Kind.YES_NO, sensitive=True
        ),
        QuestionFactory(
            program=program, text="Anything else?", kind=Question.Kind.SHORT_TEXT, required=False
        ),
    ]


def test_form_renders_every_question_type(client, program, questions):
    page = client.get(url(program)).content.decode()
    assert 'name="name"' in page and 'type="email"' in page and 'type="tel"' in page
    assert f'<textarea name="q_{questions[0].pk}"' in page
    assert page.count(f'name="q_{questions[1].pk}" value=') == 3
    assert f'name="q_{questions[2].pk}" value="Yes"' in page
    assert "Your fee (CAD)" in page and "Cancellation policy" in page


def test_valid_form_holds_a_seat_and_sends_to_checkout(client, program, questions, stripe_standin):
    data = form_data(
        program,
        **{
            f"q_{questions[0].pk}": "Stress.",
            f"q_{questions[1].pk}": "Never",
            f"q_{questions[2].pk}": "No",
        },
    )
    response = client.post(url(program), data)
    assert response.status_code == 303
    session = next(iter(stripe_standin.checkout_sessions.values()))
    assert response["Location"] == session["url"]
    registration = Registration.objects.get()
    assert registration.status == "pending" and registration.phone == "+1 416-555-0123"
    assert {a.question_text: a.value for a in registration.answers.all()} == {
        "Why now?": "Stress.", "Meditated before?": "Never", "In therapy?": "No",
    }  # fmt: skip


def test_errors_are_shown_beside_fields_and_keep_what_was_typed(client, program, questions):
    data = form_data(program, email="not-an-email", phone="12", agree=None)
    data[f"q_{questions[3].pk}"] = "kept text"
    response = client.post(url(program), data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Enter a valid email address." in page
    assert "does not look like a phone number" in page
    assert "Please accept the participant agreement" in page
    assert "This field is required." in page  # the unanswered required questions
    assert 'value="Ada Example"' in page and "kept text" in page and 'value="not-an-email"' in page
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"registration_opens_at": timedelta(days=3)}, "Registration not yet open"),
        ({"registration_closes_at": timedelta(minutes=-5)}, "Registration closed"),
        ({"sessions__starts_in": timedelta(days=-100)}, "Past program"),
        ({"status": "cancelled"}, "has been cancelled"),
    ],
)
def test_registration_not_open_is_refused_whatever_is_posted(client, setup, reason):
    now = timezone.now()
    setup = {k: (now + v if k.startswith("registration_") else v) for k, v in setup.items()}
    if "registration_closes_at" in setup:
        setup["registration_opens_at"] = now - timedelta(days=5)
    program = ProgramFactory(**setup)
    for response in (client.get(url(program)), client.post(url(program), form_data(program))):
        assert reason in response.content.decode()
    assert not Registration.objects.exists()


def test_draft_program_form_is_404(client):
    program = ProgramFactory(status="draft")
    assert client.post(url(program), form_data(program)).status_code == 404


def test_full_program_points_to_the_waitlist(client):
    program = ProgramFactory(capacity=1)
    RegistrationFactory(program=program)
    page = client.post(url(program), form_data(program)).content.decode()
    assert "Join the waitlist" in page
    assert Registration.objects.count() == 1


def test_trying_again_shows_the_existing_registration_and_how_to_pay(
    client, program, stripe_standin
):
    client.post(url(program), form_data(program))
    response = client.post(url(program), form_data(program))
    page = response.content.decode()
    existing = Registration.objects.get()
    assert "You already have a registration" in page  # this browser made it
    assert existing.reference in page
    assert reverse("registrations:pay", args=[existing.reference]) in page


def test_someone_else_retrying_an_email_learns_nothing_more(client, program, stripe_standin):
    client.post(url(program), form_data(program))
    client.cookies.clear()
    page = client.post(url(program), form_data(program)).content.decode()
    # Not even that the address is registered: the owner is emailed instead.
    assert "already" not in page and "Check your email" in page
    assert Registration.objects.get().reference not in page


def test_stripe_down_keeps_the_registration_and_the_retry_reuses_the_key(
    client, program, stripe_standin
):
    stripe_standin.fail_next(3, status=500)
    response = client.post(url(program), form_data(program))
    assert response.status_code == 503
    assert "Nothing has been charged" in response.content.decode()
    registration = Registration.objects.get()
    assert registration.status == "pending" and not registration.payments.exists()

    # The retry button needs no token: this browser made the registration (its cookie).
    assert registration.access_token not in response.content.decode()
    retry = client.post(reverse("registrations:pay", args=[registration.reference]))
    assert retry.status_code == 303
    assert len(stripe_standin.checkout_sessions) == 1
    assert registration.payments.count() == 1


def test_leaving_checkout_releases_the_seat_and_refills_the_form(
    client, program, questions, stripe_standin
):
    data = form_data(
        program,
        **{
            f"q_{questions[0].pk}": "Because.",
            f"q_{questions[1].pk}": "Often",
            f"q_{questions[2].pk}": "No",
        },
    )
    client.post(url(program), data)
    registration = Registration.objects.get()
    cancel = reverse("registrations:checkout_cancelled", args=[registration.reference])
    response = client.get(cancel, {"token": registration.access_token}, follow=True)
    page = response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "expired"
    assert registration.payments.get().status == Payment.Status.EXPIRED
    assert next(iter(stripe_standin.checkout_sessions.values()))["status"] == "expired"
    assert "released your seat" in page
    assert 'value="Ada Example"' in page and "Because." in page


def test_checkout_cancelled_link_needs_the_token(client, program, stripe_standin):
    client.post(url(program), form_data(program))
    registration = Registration.objects.get()
    client.cookies.clear()
    cancel = reverse("registrations:checkout_cancelled", args=[registration.reference])
    assert client.get(cancel, {"token": "wrong"}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_success_page_fulfils_and_says_confirmed(client, program, stripe_standin, mailoutbox):
    client.post(url(program), form_data(program))
    registration = Registration.objects.get()
    session_id = registration.payments.get().checkout_session_id
    stripe_standin.pay(session_id)
    client.cookies.clear()  # the success page works from Stripe's redirect alone
    page = client.get(
        reverse("registrations:paid", args=[registration.reference]), {"session_id": session_id}
    )
    assert "You're registered" in page.content.decode()
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_success_page_before_payment_clears_says_so(client, program, stripe_standin):
    client.post(url(program), form_data(program))
    registration = Registration.objects.get()
    session_id = registration.payments.get().checkout_session_id
    stripe_standin.complete_async(session_id)
    page = client.get(
        reverse("registrations:paid", args=[registration.reference]), {"session_id": session_id}
    )
    assert "Waiting for your payment to clear" in page.content.decode()


def test_success_page_of_someone_else_is_404(client, program):
    registration = RegistrationFactory(program=program)
    paid = reverse("registrations:paid", args=[registration.reference])
    assert client.get(paid, {"session_id": "cs_test_guess"}).status_code == 404


def test_free_registration_goes_straight_to_confirmation(client, stripe_standin, mailoutbox):
    program = ProgramFactory(price_options=False)
    program.price_options.create(label="Free", amount_cents=0)
    response = client.post(url(program), form_data(program), follow=True)
    assert "You're registered" in response.content.decode()
    assert not stripe_standin.checkout_sessions


def test_waitlist_join_page_and_leave_link(client):
    program = ProgramFactory(capacity=1)
    RegistrationFactory(program=program)
    join = reverse("registrations:waitlist_join", args=[program.slug])
    response = client.post(join, {"name": "Bea", "email": "bea@example.com"}, follow=True)
    assert "Check your email to confirm" in response.content.decode()
    entry = WaitlistEntry.objects.get()
    page = reverse("registrations:waitlist_entry", args=[entry.token])  # the emailed link
    response = client.post(page, {"action": "confirm"}, follow=True)
    assert "1st in line" in response.content.decode()
    again = client.post(join, {"name": "Bea", "email": "BEA@example.com"})
    assert "Check your email to confirm" in again.content.decode()
    assert WaitlistEntry.objects.count() == 1
    client.post(reverse("registrations:waitlist_entry", args=[entry.token]), {"action": "leave"})
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT


def test_waitlist_offer_link_opens_the_form_for_a_full_program(client, stripe_standin):
    program = ProgramFactory(capacity=1)
    holder = RegistrationFactory(program=program)
    entry = services.waitlist_join(program=program, name="Bea", email="bea@example.com")
    services.waitlist_confirm(entry=entry)  # the emailed link, opened
    services.registration_cancel(registration=holder)
    RegistrationFactory(program=program, status="pending", hold_expires_at=None)  # noise
    response = client.get(reverse("registrations:waitlist_accept", args=[entry.token]), follow=True)
    page = response.content.decode()
    assert "A seat is held for you" in page and 'value="bea@example.com"' in page
    posted = client.post(
        url(program) + f"?offer={entry.token}",
        form_data(program, email="bea@example.com", offer=entry.token),
    )
    assert posted.status_code == 303
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.ACCEPTED
