"""Long admin actions run in the background and leave a visible result: the schedule
change notice and cancelling many registrations (registrations/tasks.py)."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from outbox.models import OutboundEmail
from programs.changes import changes_sign, session_changes
from registrations import services
from registrations.models import Registration, RegistrationLog

from ..factories import ProgramFactory, RegistrationFactory
from ..helpers import register
from ..stripe_fixtures import events_of

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


def paid_through_checkout(program, standin, email):
    registration = register(program, email=email)
    services.checkout_start(registration=registration)
    standin.pay(registration.payments.get().checkout_session_id)
    for event in events_of(standin, "checkout.session.completed"):
        services.stripe_event_process(event=event)
    registration.refresh_from_db()
    return registration


def cancel_all(client, registrations, **choice):
    return client.post(
        reverse(CHANGELIST),
        {
            "action": "cancel_with_refund",
            ACTION_CHECKBOX_NAME: [r.pk for r in registrations],
            "apply": "1",
            "reason": "Venue closed",
            **choice,
        },
    )


def test_experience_cancelling_many_runs_in_background_with_result_in_each_log(
    client, staff_user, stripe_standin, django_capture_on_commit_callbacks
):
    program = ProgramFactory()
    paid = paid_through_checkout(program, stripe_standin, "ada@example.com")
    unpaid = RegistrationFactory(program=program)
    gone = RegistrationFactory(program=program, status=Registration.Status.CANCELLED)
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = cancel_all(client, [paid, unpaid, gone], refund="amount", amount="400")

    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Cancelling 2 registrations in the background" in m for m in told)
    assert any("1 already cancelled" in m for m in told)
    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert paid.status == Registration.Status.CANCELLED
    assert [r["amount"] for r in stripe_standin.refunds.values()] == [40000]
    assert paid.log.get(action="cancelled").actor == staff_user
    # $400 is more than the unpaid one paid: refused, said so in its log, left confirmed.
    assert unpaid.status == Registration.Status.CONFIRMED
    assert "must be between $0 and $0" in unpaid.log.get(action="cancellation not done").message


def test_experience_cancelling_many_twice_cancels_and_refunds_once(
    client, staff_user, stripe_standin, django_capture_on_commit_callbacks
):
    program = ProgramFactory()
    people = [paid_through_checkout(program, stripe_standin, f"p{n}@example.com") for n in range(2)]
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_all(client, people, refund="full")
        cancel_all(client, people, refund="full")  # a second click, or a task run again

    assert sorted(r["amount"] for r in stripe_standin.refunds.values()) == [45000, 45000]
    assert RegistrationLog.objects.filter(action="cancelled").count() == 2
    assert not RegistrationLog.objects.filter(action="cancellation not done").exists()


def test_experience_cancelling_many_already_cancelled_says_so(client, staff_user):
    people = RegistrationFactory.create_batch(2, status=Registration.Status.CANCELLED)
    client.force_login(staff_user)

    response = cancel_all(client, people, refund="none")

    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert told == ["These are all cancelled already."]
