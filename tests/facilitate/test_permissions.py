"""Who may open a program's facilitator pages: its facilitators without any permission,
staff by the permissions the page needs (`facilitate.permissions`), nobody else."""

import pytest
from django.urls import reverse

from facilitate.models import Attendance
from outbox.models import OutboundEmail

from ..factories import (
    FacilitatorFactory,
    ProgramFactory,
    RegistrationFactory,
    UserFactory,
    make_program_staff,
    staff_with,
)
from .helpers import portal_pages, portal_url, started_weeks_ago

pytestmark = pytest.mark.django_db

HEALTH_ANSWER = "Recovering from surgery"  # the sensitive answer of the `answered` fixture


def test_security_program_staff_read_any_roster_with_its_answers(
    client, program_staff_user, answered
):
    client.force_login(program_staff_user)
    roster = client.get(reverse("facilitate:roster", args=[answered.program.slug]))
    assert roster.status_code == 200
    assert "Ada Lovelace" in roster.content.decode()
    assert HEALTH_ANSWER in roster.content.decode()
    listing = client.get(reverse("facilitate:program_list")).content.decode()
    assert "As staff you see every program." in listing


def test_security_viewing_registrations_without_answers_opens_no_roster(client, answered):
    """A roster shows intake answers, so it needs view on answers too."""
    client.force_login(staff_with("registrations.view_registration"))
    assert client.get(reverse("registrations:detail", args=[answered.reference])).status_code == 200
    for url in portal_pages(answered.program):
        response = client.get(url)
        assert response.status_code == 404, url
        assert HEALTH_ANSWER not in response.content.decode()


def test_security_reading_rosters_does_not_allow_marking_or_messaging(client, answered):
    client.force_login(staff_with("registrations.view_registration", "registrations.view_answer"))
    program = answered.program
    session = program.sessions.first()
    roster = client.get(reverse("facilitate:roster", args=[program.slug]))
    assert HEALTH_ANSWER in roster.content.decode()
    marking = reverse("facilitate:attendance_session", args=[program.slug, session.pk])
    message = reverse("facilitate:message", args=[program.slug])
    assert client.post(marking, {f"r{answered.pk}": "present"}).status_code == 404
    assert client.post(message, {"subject": "Hello", "body": "Hello"}).status_code == 404
    assert not answered.attendance.exists()
    assert not OutboundEmail.objects.exists()


def test_security_facilitators_keep_their_own_rosters_without_permissions(client, answered):
    teacher = UserFactory(is_staff=True)  # the staff flag changes nothing either way
    answered.program.facilitators.add(FacilitatorFactory(user=teacher))
    elsewhere = RegistrationFactory(program=ProgramFactory(title="Spring retreat"), name="Cy Other")
    client.force_login(teacher)

    own = client.get(reverse("facilitate:roster", args=[answered.program.slug]))
    other = client.get(reverse("facilitate:roster", args=[elsewhere.program.slug]))
    listing = client.get(reverse("facilitate:program_list")).content.decode()

    assert own.status_code == 200 and HEALTH_ANSWER in own.content.decode()
    assert other.status_code == 404 and "Cy Other" not in other.content.decode()
    assert "Winter MSC" in listing and "Spring retreat" not in listing
    assert "As staff you see every program." not in listing


def test_structure_program_staff_mark_attendance_with_the_facilitate_permissions(client, answered):
    office = make_program_staff()
    started_weeks_ago(answered.program)
    week1 = answered.program.sessions.order_by("starts_at")[0]
    client.force_login(office)

    saved = client.post(
        portal_url("attendance_session", answered.program, week1.pk),
        {f"r{answered.pk}": "present"},
    )

    assert saved.status_code == 302
    assert Attendance.objects.get().marked_by == office
    assert office.has_perms(
        ["facilitate.view_attendance", "facilitate.add_attendance", "facilitate.change_attendance"]
    )


def test_structure_marking_attendance_for_any_program_needs_the_facilitate_permissions(
    client, answered
):
    started_weeks_ago(answered.program)
    week1 = answered.program.sessions.order_by("starts_at")[0]
    url = portal_url("attendance_session", answered.program, week1.pk)
    reader = staff_with("registrations.view_registration", "registrations.view_answer")
    marker = staff_with(
        "registrations.view_registration",
        "registrations.view_answer",
        "facilitate.add_attendance",
        "facilitate.change_attendance",
    )

    client.force_login(reader)
    assert client.post(url, {f"r{answered.pk}": "present"}).status_code == 404
    client.force_login(marker)
    assert client.post(url, {f"r{answered.pk}": "absent"}).status_code == 302

    assert Attendance.objects.get().present is False
