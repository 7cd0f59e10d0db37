"""Attendance in the admin: the "Mark attendance" action and the marks on a
registration's page, which the facilitate app adds to the registration admin."""

import pytest
from django.urls import reverse

from facilitate.models import Attendance
from facilitate.services import attendance_mark

from ..factories import ProgramFactory, RegistrationFactory, make_program_staff
from .helpers import registration_admin_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def test_mark_attendance_from_the_list(staff, staff_user):
    program = ProgramFactory()
    ada, bea = RegistrationFactory(program=program), RegistrationFactory(program=program)
    other = RegistrationFactory()
    week2 = program.sessions.order_by("starts_at")[1]
    registration_admin_action(
        staff, "mark_attendance", [ada, bea, other], apply="1", session=week2.pk, present="1"
    )
    marks = Attendance.objects.filter(session=week2)
    assert sorted(m.registration_id for m in marks) == sorted([ada.pk, bea.pk])
    assert {m.marked_by for m in marks} == {staff_user}
    assert not Attendance.objects.filter(registration=other).exists()


def test_structure_a_registrations_page_in_the_admin_shows_its_attendance(client):
    office = make_program_staff()
    registration = RegistrationFactory(name="Ada")
    week1 = registration.program.sessions.order_by("starts_at")[0]
    attendance_mark(registration=registration, session=week1, present=True, actor=office)
    client.force_login(office)

    page = client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    ).content.decode()
    listing = client.get(reverse("admin:registrations_registration_changelist")).content.decode()

    assert 'id="attendance-group"' in page
    assert week1.title in page
    assert 'value="mark_attendance"' in listing
