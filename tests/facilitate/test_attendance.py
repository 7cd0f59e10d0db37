"""Attendance: marked per session by the program's facilitator, and summarised."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from facilitate.models import Attendance

from ..factories import ProgramFactory, RegistrationFactory
from .helpers import portal_url, started_weeks_ago

pytestmark = pytest.mark.django_db


def test_attendance_is_marked_per_session_and_summarised(client, teacher, led_program):
    ada = RegistrationFactory(program=led_program, name="Ada")
    bea = RegistrationFactory(program=led_program, name="Bea")
    started_weeks_ago(led_program)
    week1, week2 = led_program.sessions.order_by("starts_at")[:2]
    client.force_login(teacher)
    url = portal_url("attendance_session", led_program, week1.pk)

    form = client.get(url).content.decode()
    assert f"<legend>{ada.name}</legend>" in form
    assert f'name="r{ada.pk}" value="present"' in form

    response = client.post(url, {f"r{ada.pk}": "present", f"r{bea.pk}": "absent"})
    assert response.status_code == 302
    client.post(
        portal_url("attendance_session", led_program, week2.pk),
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
    summary = client.get(portal_url("attendance", led_program)).content.decode()
    assert "2 of 8" in summary and "1 of 8" in summary
    refilled = client.get(url).content.decode()
    assert re.search(rf'name="r{bea.pk}" value="present"[^>]*checked', refilled)
    assert not re.search(rf'name="r{bea.pk}" value="absent"[^>]*checked', refilled)


def test_attendance_for_another_programs_session_is_404(client, teacher, led_program):
    elsewhere = ProgramFactory().sessions.first()
    client.force_login(teacher)
    url = portal_url("attendance_session", led_program, elsewhere.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_experience_attendance_for_a_future_session_is_shown_but_refused(
    client, teacher, led_program
):
    ada = RegistrationFactory(program=led_program, name="Ada")
    week1 = led_program.sessions.order_by("starts_at").first()
    client.force_login(teacher)
    url = portal_url("attendance_session", led_program, week1.pk)

    overview = client.get(portal_url("attendance", led_program)).content.decode()
    assert week1.title in overview
    assert url not in overview
    assert "marking opens on the day" in overview
    page = client.get(url).content.decode()
    assert "attendance can be marked from the day of the session" in page
    assert f'name="r{ada.pk}"' not in page

    assert client.post(url, {f"r{ada.pk}": "present"}).status_code == 403
    assert not Attendance.objects.exists()


def test_experience_attendance_is_open_on_the_day_and_after(client, teacher, led_program):
    ada = RegistrationFactory(program=led_program, name="Ada")
    week1, week2 = led_program.sessions.order_by("starts_at")[:2]
    last_minute_today = datetime.combine(
        timezone.localdate(), time(23, 59), tzinfo=timezone.get_default_timezone()
    )
    week1.starts_at = last_minute_today - timedelta(weeks=1)
    week1.ends_at = week1.starts_at + timedelta(minutes=1)
    week1.save()
    week2.starts_at, week2.ends_at = last_minute_today, last_minute_today + timedelta(minutes=1)
    week2.save()
    client.force_login(teacher)

    overview = client.get(portal_url("attendance", led_program)).content.decode()
    for session in (week1, week2):
        url = portal_url("attendance_session", led_program, session.pk)
        assert url in overview
        assert client.post(url, {f"r{ada.pk}": "present"}).status_code == 302
    assert Attendance.objects.filter(registration=ada, present=True).count() == 2
