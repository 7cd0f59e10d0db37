"""The roster and the sign-in sheet of a facilitator's program."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registrations.models import Answer, Registration, WaitlistEntry

from ..factories import (
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from .helpers import portal_url, program_led_by, read_csv

pytestmark = pytest.mark.django_db


def test_roster_shows_people_payment_answers_waitlist_and_counts(
    client, teacher, led_program, answered
):
    pending = RegistrationFactory(
        program=led_program,
        name="Grace Hopper",
        status=Registration.Status.PENDING,
        hold_expires_at=timezone.now() + timedelta(minutes=20),
        confirmed_at=None,
    )
    RegistrationFactory(program=led_program, status=Registration.Status.CANCELLED)
    WaitlistEntryFactory(program=led_program, name="Waiting Person")
    client.force_login(teacher)

    response = client.get(portal_url("roster", led_program))
    page = response.content.decode()

    assert response["Cache-Control"] == "private, no-store"
    for shown in [
        "Ada Lovelace",
        "ada@example.com",
        "+1 416 555 0100",
        "Supported",
        "Paid $300",
        timezone.localtime(answered.created_at).strftime("%b"),
        "Kinder self-talk",
        "Recovering from surgery",
        "Waiting Person",
    ]:
        assert shown in page, shown
    assert pending.name in page and "Awaiting payment" in page
    assert "<dt>Confirmed</dt><dd>1 of 10</dd>" in page
    assert "<dt>Awaiting payment</dt><dd>1</dd>" in page
    assert "<dt>Seats left</dt><dd>8</dd>" in page
    assert "<dt>Cancelled</dt><dd>1</dd>" in page


def test_waitlist_offers_show_on_the_roster(client, teacher, led_program):
    WaitlistEntryFactory(
        program=led_program,
        name="Offered Person",
        status=WaitlistEntry.Status.OFFERED,
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + timedelta(hours=48),
    )
    client.force_login(teacher)
    page = client.get(portal_url("roster", led_program)).content.decode()
    assert "Offered Person" in page and "offered a seat" in page


def test_sign_in_sheet_lists_confirmed_participants_for_the_chosen_session(
    client, teacher, led_program
):
    RegistrationFactory(program=led_program, name="Ada")
    RegistrationFactory(program=led_program, name="Not paid", status=Registration.Status.PENDING)
    week3 = led_program.sessions.order_by("starts_at")[2]
    client.force_login(teacher)
    page = client.get(
        portal_url("sign_in_sheet", led_program), {"session": week3.pk}
    ).content.decode()
    assert "Ada" in page and "Not paid" not in page
    assert f"{week3.title} ·" in page


def test_security_roster_sign_in_sheet_and_csv_show_only_the_programs_own_answers(client):
    teacher = UserFactory()
    program = program_led_by(teacher, title="Winter MSC")
    motive = QuestionFactory(program=program, text="What brings you to Winter MSC?")
    other_question = QuestionFactory(
        program=ProgramFactory(title="Elsewhere"), text="Elsewhere's question?", sensitive=True
    )
    deleted = QuestionFactory(program=program, text="A question since deleted?")
    registration = RegistrationFactory(program=program, name="Ada Example")
    Answer.objects.create(
        registration=registration, question=motive, question_text=motive.text, value="Own answer"
    )
    Answer.objects.create(
        registration=registration,
        question=other_question,
        question_text=other_question.text,
        sensitive=True,
        value="Foreign secret",
    )
    Answer.objects.create(
        registration=registration,
        question=deleted,
        question_text=deleted.text,
        value="Orphan secret",
    )
    deleted.delete()
    client.force_login(teacher)

    roster = client.get(portal_url("roster", program))
    sheet = client.get(portal_url("sign_in_sheet", program))
    export = client.get(
        portal_url("export", program),
        {"answers": "on", "sensitive": "on"},
    )

    assert "Own answer" in roster.content.decode()
    rows = read_csv(export)
    assert "Own answer" in rows[1]
    for page in (roster.content.decode(), sheet.content.decode(), export.content.decode()):
        for hidden in ("Foreign secret", "Elsewhere's question?", "Orphan secret"):
            assert hidden not in page
            assert hidden.replace("'", "&#x27;") not in page
