"""The facilitator portal: roster, attendance, exports and messages for one's own programs."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboundEmail
from registrations.csv_export import spreadsheet_safe
from registrations.models import (
    Answer,
    Attendance,
    Payment,
    Registration,
    WaitlistEntry,
)

from .factories import (
    FacilitatorFactory,
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(db):
    return UserFactory(name="Lead teacher")


@pytest.fixture
def led_program(teacher):
    program = ProgramFactory(title="Winter MSC")
    program.facilitators.add(FacilitatorFactory(user=teacher))
    return program


@pytest.fixture
def answered(led_program):
    """A confirmed, paid participant who answered an ordinary and a sensitive question."""
    motive = QuestionFactory(program=led_program, text="What brings you?", position=1)
    health = QuestionFactory(
        program=led_program, text="Anything about your health?", sensitive=True, position=2
    )
    registration = RegistrationFactory(
        program=led_program,
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


def roster_url(program, name="facilitate_roster", *args):
    return reverse(f"registrations:{name}", args=[program.slug, *args])


def test_a_facilitator_sees_only_the_programs_they_lead(client, teacher, led_program):
    ProgramFactory(title="Someone else's retreat")
    client.force_login(teacher)
    page = client.get(reverse("registrations:facilitate")).content.decode()
    assert "Winter MSC" in page
    assert "Someone else's retreat" not in page


def test_a_participant_without_a_facilitator_profile_gets_404(client, user):
    client.force_login(user)
    assert client.get(reverse("registrations:facilitate")).status_code == 404


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

    response = client.get(roster_url(led_program))
    page = response.content.decode()

    assert response["Cache-Control"] == "private, no-store"
    for shown in [
        "Ada Lovelace",
        "ada@example.com",
        "+1 416 555 0100",
        "Supported",
        "Paid $300.00",
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


def test_attendance_is_marked_per_session_and_summarised(client, teacher, led_program):
    ada = RegistrationFactory(program=led_program, name="Ada")
    bea = RegistrationFactory(program=led_program, name="Bea")
    week1, week2 = led_program.sessions.order_by("starts_at")[:2]
    client.force_login(teacher)
    url = roster_url(led_program, "facilitate_attendance_session", week1.pk)

    form = client.get(url).content.decode()
    assert f"<legend>{ada.name}</legend>" in form
    assert f'name="r{ada.pk}" value="present"' in form

    response = client.post(url, {f"r{ada.pk}": "present", f"r{bea.pk}": "absent"})
    assert response.status_code == 302
    client.post(
        roster_url(led_program, "facilitate_attendance_session", week2.pk),
        {f"r{ada.pk}": "present"},
    )
    # Marking again replaces the earlier mark.
    client.post(url, {f"r{bea.pk}": "present"})

    marks = {
        (a.registration.name, a.session.title): (a.present, a.marked_by)
        for a in Attendance.objects.select_related("registration", "session")
    }
    assert marks == {
        ("Ada", week1.title): (True, teacher),
        ("Bea", week1.title): (True, teacher),
        ("Ada", week2.title): (True, teacher),
    }
    summary = client.get(roster_url(led_program, "facilitate_attendance")).content.decode()
    assert "2 of 8" in summary and "1 of 8" in summary
    refilled = client.get(url).content.decode()
    assert re.search(rf'name="r{bea.pk}" value="present"[^>]*checked', refilled)
    assert not re.search(rf'name="r{bea.pk}" value="absent"[^>]*checked', refilled)


def test_attendance_for_another_programs_session_is_404(client, teacher, led_program):
    elsewhere = ProgramFactory().sessions.first()
    client.force_login(teacher)
    url = roster_url(led_program, "facilitate_attendance_session", elsewhere.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv_export_leaves_answers_out_unless_asked(client, teacher, led_program, answered):
    client.force_login(teacher)
    url = roster_url(led_program, "facilitate_export")

    plain = read_csv(client.get(url))
    with_answers = read_csv(client.get(url, {"answers": "on"}))
    with_sensitive = read_csv(client.get(url, {"answers": "on", "sensitive": "on"}))

    assert plain[0][:3] == ["Reference", "Name", "Email"]
    assert plain[1][1:3] == ["Ada Lovelace", "ada@example.com"]
    assert "What brings you?" not in plain[0]
    assert "Kinder self-talk" not in plain[1]
    assert "What brings you?" in with_answers[0]
    assert "Kinder self-talk" in with_answers[1]
    assert "Anything about your health?" not in with_answers[0]
    assert "Recovering from surgery" not in with_answers[1]
    assert "Anything about your health?" in with_sensitive[0]
    assert "Recovering from surgery" in with_sensitive[1]


def test_csv_export_is_safe_against_formula_injection(client, teacher, led_program):
    RegistrationFactory(
        program=led_program, name='=HYPERLINK("http://evil")', phone="+1 416 555 0199"
    )
    RegistrationFactory(program=led_program, name="@SUM(A1)", email="tab@example.com")
    client.force_login(teacher)
    rows = read_csv(client.get(roster_url(led_program, "facilitate_export")))
    names = sorted(row[1] for row in rows[1:])
    assert names == ['\'=HYPERLINK("http://evil")', "'@SUM(A1)"]
    assert "'+1 416 555 0199" in [row[3] for row in rows[1:]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@A1", "'@A1"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Ada", "Ada"),
        ("a=b", "a=b"),
        (None, ""),
        (3, "3"),
    ],
)
def test_spreadsheet_safe_quotes_every_formula_trigger(value, expected):
    assert spreadsheet_safe(value) == expected


def test_sign_in_sheet_lists_confirmed_participants_for_the_chosen_session(
    client, teacher, led_program
):
    RegistrationFactory(program=led_program, name="Ada")
    RegistrationFactory(program=led_program, name="Not paid", status=Registration.Status.PENDING)
    week3 = led_program.sessions.order_by("starts_at")[2]
    client.force_login(teacher)
    page = client.get(
        roster_url(led_program, "facilitate_sign_in_sheet"), {"session": week3.pk}
    ).content.decode()
    assert "Ada" in page and "Not paid" not in page
    assert f"{week3.title} ·" in page


def test_message_goes_to_every_confirmed_participant_through_the_outbox(
    client, teacher, led_program, mailoutbox, django_capture_on_commit_callbacks
):
    RegistrationFactory(program=led_program, email="ada@example.com")
    RegistrationFactory(program=led_program, email="bea@example.com")
    RegistrationFactory(
        program=led_program, email="pending@example.com", status=Registration.Status.PENDING
    )
    WaitlistEntryFactory(program=led_program, email="waiting@example.com")
    client.force_login(teacher)
    url = roster_url(led_program, "facilitate_message")

    assert "Send to 2 participants" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"subject": "Bring a blanket", "body": "Week 3 is lying down."})

    assert response.status_code == 302
    queued = OutboundEmail.objects.filter(kind="message")
    assert sorted(queued.values_list("recipient", flat=True)) == [
        "ada@example.com",
        "bea@example.com",
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.com", "bea@example.com"]
    assert "Week 3 is lying down." in mailoutbox[0].body
    followed = client.get(response["Location"]).content.decode()
    assert "on its way to 2 participants" in followed


def test_message_form_keeps_what_was_typed_and_says_what_to_fix(client, teacher, led_program):
    client.force_login(teacher)
    response = client.post(
        roster_url(led_program, "facilitate_message"), {"subject": "", "body": "Kept text"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please fix what is marked below." in page
    assert "Kept text" in page
    assert not OutboundEmail.objects.exists()


def test_waitlist_offers_show_on_the_roster(client, teacher, led_program):
    WaitlistEntryFactory(
        program=led_program,
        name="Offered Person",
        status=WaitlistEntry.Status.OFFERED,
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + timedelta(hours=48),
    )
    client.force_login(teacher)
    page = client.get(roster_url(led_program)).content.decode()
    assert "Offered Person" in page and "offered a seat" in page
