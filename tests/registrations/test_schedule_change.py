"""Date changes reach people (DESIGN rule 7): staff move a session in the admin, the admin
offers to notify participants, each gets one email and a calendar that updates in place."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from outbox.models import OutboundEmail
from programs.changes import ChangeKind, changes_sign, session_changes
from registrations.models import Registration

from ..factories import ProgramFactory, RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")


def change_form_data(response) -> dict:
    """The admin change form as the browser would post it back, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        forms += list(formset.forms)
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value, widget = bound.value(), bound.field.widget
            if hasattr(widget, "decompress"):
                for i, (part_widget, part) in enumerate(
                    zip(widget.widgets, widget.decompress(value), strict=True)
                ):
                    data[f"{bound.html_name}_{i}"] = part_widget.format_value(part) or ""
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(item) for item in value]
            elif value is not None:
                data[bound.html_name] = str(value)
    return data


def move(data: dict, index: int, *, days: int) -> None:
    for field in ("starts_at", "ends_at"):
        key = f"sessions-{index}-{field}_0"
        moved = date.fromisoformat(data[key]) + timedelta(days=days)
        data[key] = moved.isoformat()


@pytest.fixture
def program_with_people():
    program = ProgramFactory(sessions=False, title="Mindful Self-Compassion")
    for week in range(3):
        starts_at = datetime(2027, 1, 6, 19, 0, tzinfo=TORONTO) + timedelta(weeks=week)
        SessionFactory(
            program=program,
            title=f"Week {week + 1}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2, minutes=30),
        )
    people = RegistrationFactory.create_batch(2, program=program)
    RegistrationFactory(program=program, status=Registration.Status.CANCELLED)
    return program, people


def save_with_week_two_moved(client, program, *, days=1):
    url = reverse("admin:programs_program_change", args=[program.pk])
    data = change_form_data(client.get(url))
    move(data, 1, days=days)
    return client.post(url, {**data, "_continue": "1"}, follow=True)


def test_schedule_change_admin_offers_to_notify_after_a_session_moves(
    client, staff_user, program_with_people
):
    program, _ = program_with_people
    client.force_login(staff_user)

    page = save_with_week_two_moved(client, program)

    assert page.status_code == 200
    assert "Notify participants" in page.text
    assert program.sessions.get(title="Week 2").starts_at == datetime(
        2027, 1, 14, 19, 0, tzinfo=TORONTO
    )


def test_schedule_change_admin_does_not_offer_when_no_date_changed(
    client, staff_user, program_with_people
):
    program, _ = program_with_people
    client.force_login(staff_user)
    url = reverse("admin:programs_program_change", args=[program.pk])
    data = change_form_data(client.get(url))

    page = client.post(url, {**data, "title": "A new title", "_continue": "1"}, follow=True)

    assert "A new title" in page.text
    assert "Notify participants" not in page.text


def test_schedule_change_admin_does_not_offer_without_confirmed_participants(client, staff_user):
    program = ProgramFactory()
    RegistrationFactory(program=program, status=Registration.Status.CANCELLED)
    client.force_login(staff_user)

    page = save_with_week_two_moved(client, program)

    assert page.status_code == 200
    assert "Notify participants" not in page.text


def test_schedule_change_notice_lists_the_change_and_updates_calendars_once(
    client, staff_user, program_with_people, django_capture_on_commit_callbacks
):
    program, people = program_with_people
    uids = {s.title: f"{s.uid}@omwellness.ca" for s in program.sessions.all()}
    client.force_login(staff_user)
    page = save_with_week_two_moved(client, program)
    notify_url = re.search(r'href="([^"]*notify-schedule-change[^"]*)"', page.text)[1]
    notify_url = notify_url.replace("&amp;", "&")

    confirm = client.get(notify_url)
    assert "Week 2 moves from Wed, Jan 13, 2027, 7:00–9:30 pm ET" in confirm.text
    assert "to Thu, Jan 14, 2027, 7:00–9:30 pm ET" in confirm.text
    assert "2 confirmed participants" in confirm.text
    token = re.search(r'name="changes" value="([^"]+)"', confirm.text)[1]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(notify_url.split("?")[0], {"changes": token}, follow=True)
        client.post(notify_url.split("?")[0], {"changes": token})  # a second click

    assert "Telling 2 participants about the schedule change in the background." in done.text
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    message = mail.outbox[0]
    assert message.subject == "Schedule change: Mindful Self-Compassion"
    assert "Week 2 moves from Wed, Jan 13, 2027" in message.body
    (name, content, _), *_ = message.attachments
    events = {
        str(e["SUMMARY"]).split(": ")[1]: e for e in Calendar.from_ical(content).walk("VEVENT")
    }
    assert {title: str(e["UID"]) for title, e in events.items()} == uids
    assert int(events["Week 2"]["SEQUENCE"]) == 1
    assert int(events["Week 1"]["SEQUENCE"]) == 0
    assert events["Week 2"].decoded("DTSTART") == datetime(2027, 1, 14, 19, 0, tzinfo=TORONTO)
    assert OutboundEmail.objects.filter(kind="schedule_change").count() == 2


def test_schedule_change_notice_refuses_a_forged_or_misplaced_token(
    client, staff_user, program_with_people
):
    program, _ = program_with_people
    other = ProgramFactory()
    client.force_login(staff_user)
    url = reverse("admin:programs_program_notify_schedule_change", args=[program.pk])
    foreign = changes_sign(program_id=other.pk, changes=[])

    forged = client.post(url, {"changes": "not-a-token"}, follow=True)
    misplaced = client.post(url, {"changes": foreign}, follow=True)

    for page in (forged, misplaced):
        assert "That notice link is not valid any more." in page.text
    assert mail.outbox == []


def test_schedule_change_notice_is_for_staff_only(client, program_with_people):
    program, _ = program_with_people
    client.force_login(UserFactory())
    url = reverse("admin:programs_program_notify_schedule_change", args=[program.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_schedule_change_compares_moved_added_and_removed_sessions():
    at = datetime(2027, 3, 2, 19, 0, tzinfo=TORONTO)
    hours = timedelta(hours=2)
    week = timedelta(weeks=1)
    before = {1: ("Week 1", at, at + hours), 2: ("Week 2", at + week, at + week + hours)}
    after = {
        1: ("Week 1", at + timedelta(days=1), at + timedelta(days=1) + hours),
        3: ("Retreat", at + timedelta(days=5), at + timedelta(days=5, hours=6)),
    }

    changes = session_changes(before=before, after=after)

    assert [(c.kind, c.title) for c in changes] == [
        (ChangeKind.MOVED, "Week 1"),
        (ChangeKind.ADDED, "Retreat"),
        (ChangeKind.REMOVED, "Week 2"),
    ]
    assert changes[0].describe() == (
        "Week 1 moves from Tue, Mar 2, 2027, 7:00–9:00 pm ET to Wed, Mar 3, 2027, 7:00–9:00 pm ET"
    )
    assert changes[1].describe().startswith("Retreat is added: Sun, Mar 7, 2027")
    assert "cancelled" in changes[2].describe()
