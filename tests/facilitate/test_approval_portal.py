"""Applications in /facilitate/ (issue 11, screening before payment): who may read and
decide them, and what each action does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outbox.models import OutboundEmail
from registrations.models import Answer, Registration

from ..factories import QuestionFactory, RegistrationFactory, UserFactory, staff_with
from .helpers import program_led_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def screened(teacher):
    program = program_led_by(teacher, title="Screened MSC", requires_approval=True)
    QuestionFactory(program=program, text="Recent trauma or crisis?", sensitive=True)
    return program


def application(program, name="Ada Applicant", email="ada@example.com"):
    registration = RegistrationFactory(
        program=program,
        name=name,
        email=email,
        status=Registration.Status.APPLIED,
        confirmed_at=None,
    )
    question = program.questions.get()
    Answer.objects.create(
        registration=registration,
        question=question,
        question_text=question.text,
        sensitive=True,
        value="A loss this spring",
    )
    return registration


def decide(client, program, registration, action, data=None):
    name = f"facilitate:application_{action}"
    return client.post(reverse(name, args=[program.slug, registration.reference]), data or {})


def test_approval_portal_facilitator_reads_answers_and_approves(client, teacher, screened):
    applicant = application(screened)
    client.force_login(teacher)

    listing = client.get(reverse("facilitate:program_list")).content.decode()
    assert "1 application to decide" in listing
    roster = client.get(reverse("facilitate:roster", args=[screened.slug])).content.decode()
    assert "1 application waiting for a decision" in roster
    page = client.get(reverse("facilitate:applications", args=[screened.slug]))
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    text = page.content.decode()
    assert "Ada Applicant" in text and "A loss this spring" in text and "sensitive" in text

    response = decide(client, screened, applicant, "approve")

    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == Registration.Status.PENDING and applicant.hold_is_live()
    assert applicant.log.get(action="approved").actor == teacher
    followed = client.get(response["Location"]).content.decode()
    assert "is approved: their seat is held until" in followed
    assert "No application is waiting." in followed
    again = decide(client, screened, applicant, "approve")
    assert again.status_code == 404  # no longer waiting: nothing to decide twice


def test_approval_portal_decline_asks_for_confirmation_and_passes_the_message_on(
    client, teacher, screened
):
    applicant = application(screened)
    client.force_login(teacher)
    decline_url = reverse(
        "facilitate:application_decline", args=[screened.slug, applicant.reference]
    )

    page = client.get(decline_url).content.decode()
    applicant.refresh_from_db()
    assert "Decline the application of Ada Applicant?" in page
    assert applicant.status == Registration.Status.APPLIED  # opening the page changes nothing

    client.post(decline_url, {"message": "Please try again next season, with care."})

    applicant.refresh_from_db()
    assert applicant.status == Registration.Status.DECLINED
    told = OutboundEmail.objects.get(kind="application_declined")
    assert "Please try again next season, with care." in told.body_text


def test_approval_portal_call_first(client, teacher, screened):
    applicant = application(screened)
    client.force_login(teacher)
    decide(client, screened, applicant, "call_first")
    applicant.refresh_from_db()
    assert applicant.status == Registration.Status.CALL_FIRST
    page = client.get(reverse("facilitate:applications", args=[screened.slug])).content.decode()
    assert "A facilitator will call" in page and "Call first<" not in page


def test_approval_portal_refuses_other_facilitators_and_staff_without_the_right(
    client, teacher, screened
):
    applicant = application(screened)
    other_teacher = UserFactory()
    program_led_by(other_teacher)
    readers = staff_with("registrations.view_registration", "registrations.view_answer")
    list_url = reverse("facilitate:applications", args=[screened.slug])
    for person in (other_teacher, readers, UserFactory(is_staff=True)):
        client.force_login(person)
        assert client.get(list_url).status_code == 404
        for action in ("approve", "call_first", "decline"):
            assert decide(client, screened, applicant, action).status_code == 404
    client.logout()
    assert decide(client, screened, applicant, "approve").status_code == 302  # to sign in
    applicant.refresh_from_db()
    assert applicant.status == Registration.Status.APPLIED
    assert (
        not OutboundEmail.objects.filter(kind__startswith="application_")
        .exclude(kind="application_received")
        .exists()
    )

    reviewer = staff_with(
        "registrations.view_registration",
        "registrations.view_answer",
        "registrations.review_application",
    )
    client.force_login(reviewer)
    assert client.get(list_url).status_code == 200
    decide(client, screened, applicant, "approve")
    applicant.refresh_from_db()
    assert applicant.status == Registration.Status.PENDING


def test_approval_portal_applications_page_reads_in_fixed_queries(client, teacher, screened):
    client.force_login(teacher)
    list_url = reverse("facilitate:applications", args=[screened.slug])
    application(screened, email="one@example.com")
    with CaptureQueriesContext(connection) as one:
        client.get(list_url)
    for n in range(4):
        application(screened, name=f"Applicant {n}", email=f"many{n}@example.com")
    with CaptureQueriesContext(connection) as five:
        page = client.get(list_url)
    assert "Applicant 3" in page.content.decode()
    assert len(five) == len(one)
