"""Builders shared by the facilitator portal's tests (tests/facilitate/).

Test modules import from here and from tests/factories.py, never from each other.
"""

import csv
import io
from datetime import timedelta

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from facilitate.models import Attendance
from registrations.models import Answer, Payment, Registration

from ..factories import (
    FacilitatorFactory,
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    WaitlistEntryFactory,
)


def program_led_by(teacher, **kwargs):
    """A program whose facilitators include `teacher`."""
    program = ProgramFactory(**kwargs)
    program.facilitators.add(FacilitatorFactory(user=teacher))
    return program


def started_weeks_ago(program) -> None:
    """Moves the program's sessions back so that all of them have happened: attendance
    is marked only from the day of a session."""
    back = timedelta(weeks=12)
    program.sessions.update(starts_at=F("starts_at") - back, ends_at=F("ends_at") - back)


def answered_participant(program) -> Registration:
    """A confirmed, paid participant who answered an ordinary and a sensitive question."""
    motive = QuestionFactory(program=program, text="What brings you?", position=1)
    health = QuestionFactory(
        program=program, text="Anything about your health?", sensitive=True, position=2
    )
    registration = RegistrationFactory(
        program=program,
        name="Ada Lovelace",
        email="ada@example.com",
        phone="+1 416 555 0100",
        price_label="Supported",
    )
    Payment.objects.create(
        registration=registration,
        checkout_session_id="cs_test_ada",
        amount_cents=30000,
        status=Payment.Status.PAID,
        paid_at=timezone.now(),
    )
    Answer.objects.create(
        registration=registration,
        question=motive,
        question_text=motive.text,
        value="Kinder self-talk",
    )
    Answer.objects.create(
        registration=registration,
        question=health,
        question_text=health.text,
        sensitive=True,
        value="Recovering from surgery",
    )
    return registration


def fill_roster(program, count):
    """`count` confirmed, paid participants with two answers each, marked present at two
    sessions, and three people waiting."""
    questions = [
        QuestionFactory(program=program, text="Why?"),
        QuestionFactory(program=program, text="Health?", sensitive=True),
    ]
    sessions = list(program.sessions.all()[:2])
    registrations = Registration.objects.bulk_create(
        RegistrationFactory.build(program=program, status=Registration.Status.CONFIRMED)
        for _ in range(count)
    )
    Answer.objects.bulk_create(
        Answer(registration=r, question=q, question_text=q.text, sensitive=q.sensitive, value="x")
        for r in registrations
        for q in questions
    )
    Payment.objects.bulk_create(
        Payment(
            registration=r,
            checkout_session_id=f"cs_test_{r.reference}",
            amount_cents=45000,
            status=Payment.Status.PAID,
        )
        for r in registrations
    )
    Attendance.objects.bulk_create(
        Attendance(registration=r, session=s, present=True) for r in registrations for s in sessions
    )
    for _ in range(3):
        WaitlistEntryFactory(program=program)


def portal_url(name, program, *args) -> str:
    """The address of a facilitator page of `program`, by its name in `facilitate:`."""
    return reverse(f"facilitate:{name}", args=[program.slug, *args])


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def registration_admin_action(client, action, registrations, **data):
    """Runs an action of the registration list in the admin, as its form posts it."""
    return client.post(
        reverse("admin:registrations_registration_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in registrations], **data},
    )


def portal_pages(program) -> list[str]:
    """Every facilitator page of `program`; the export with every answer asked for."""
    slug = program.slug
    session = program.sessions.first()
    return [
        reverse("facilitate:roster", args=[slug]),
        reverse("facilitate:export", args=[slug]) + "?answers=on&sensitive=on",
        reverse("facilitate:sign_in_sheet", args=[slug]),
        reverse("facilitate:attendance", args=[slug]),
        reverse("facilitate:attendance_session", args=[slug, session.pk]),
        reverse("facilitate:message", args=[slug]),
    ]
