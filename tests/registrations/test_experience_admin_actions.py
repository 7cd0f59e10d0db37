"""Long admin actions run in the background and leave a visible result: the schedule
change notice and cancelling many registrations (registrations/tasks.py)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from outbox.models import OutboundEmail
from programs.changes import changes_sign, session_changes
from registrations.models import Registration, RegistrationLog

from ..factories import ProgramFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"


def week_two_moved(program):
    before = {
        s.pk: (s.title, s.starts_at, s.ends_at) for s in program.sessions.order_by("starts_at")
    }
    after = dict(before)
    pk, (title, starts, ends) = list(before.items())[1]
    after[pk] = (title, starts + timedelta(days=1), ends + timedelta(days=1))
    return session_changes(before=before, after=after)


def test_experience_schedule_notice_runs_in_background_and_logs_each_person_once(
    client, staff_user, django_capture_on_commit_callbacks
):
    program = ProgramFactory(sessions__weeks=3)
    people = RegistrationFactory.create_batch(3, program=program)
    RegistrationFactory(program=program, status=Registration.Status.CANCELLED)
    token = changes_sign(program_id=program.pk, changes=week_two_moved(program))
    url = reverse("admin:programs_program_notify_schedule_change", args=[program.pk])
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"changes": token})
        client.post(url, {"changes": token})  # a second click tells nobody twice

    told = [str(m) for m in get_messages(first.wsgi_request)]
    assert any(
        "Telling 3 participants about the schedule change in the background" in m for m in told
    )
    logged = RegistrationLog.objects.filter(action="schedule change notice")
    assert sorted(logged.values_list("registration_id", flat=True)) == sorted(p.pk for p in people)
    assert all("Week 2 moves from" in line.message for line in logged)
    assert {line.actor for line in logged} == {staff_user}
    assert OutboundEmail.objects.filter(kind="schedule_change").count() == 3
