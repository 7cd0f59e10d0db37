"""Minimum enrolment: the decision notice, and cancelling a program in one action."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboundEmail
from programs.models import Program
from registrations import payments, services, tasks
from registrations.models import Registration, WaitlistEntry
from registrations.services.minimum import minimum_decisions_announce
from registrations.services.program_cancel import (
    awaiting_refund,
    program_cancel_finish,
    program_cancel_start,
    program_cancellations_resume,
)

from ..factories import FacilitatorFactory, ProgramFactory, UserFactory, staff_with
from ..helpers import register

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")


def paid(program, standin, email):
    registration = register(program, email=email, name=email.split("@")[0].title())
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    assert standin.pay(session_id)
    services.registration_fulfill(checkout_session_id=session_id)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    return registration


def cancelled_emails(program):
    return OutboundEmail.objects.filter(dedup_key__startswith=f"program_cancelled:{program.pk}:")


def with_minimum(**fields):
    next_term = ProgramFactory(title="Mindful Self-Compassion, spring term")
    values = {
        "title": "Mindful Self-Compassion, winter term",
        "minimum_participants": 6,
        "minimum_decision_date": timezone.localdate() + timedelta(days=10),
        "next_term": next_term,
        **fields,
    }
    return ProgramFactory(**values)


# --- the decision notice ---------------------------------------------------------------


def test_minimum_decision_is_told_once_to_staff_and_facilitators_on_the_day(stripe_standin):
    program = with_minimum()
    facilitator = FacilitatorFactory(user=UserFactory(email="teacher@example.com"))
    program.facilitators.add(facilitator)
    staff = staff_with("programs.change_program")
    staff_with("registrations.view_registration")  # not someone who manages programs
    paid(program, stripe_standin, "ada@example.com")
    day = program.minimum_decision_date

    with time_machine.travel(datetime.combine(day, time(8, 30), tzinfo=TORONTO)):
        assert minimum_decisions_announce() == 0  # not before 9:00 on the day
    with time_machine.travel(datetime.combine(day, time(9, 5), tzinfo=TORONTO)):
        assert minimum_decisions_announce() == 1
        assert minimum_decisions_announce() == 0  # once only

    told = OutboundEmail.objects.filter(kind="minimum_decision")
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [staff.email, "teacher@example.com"]
    )
    assert all("minimum not reached (1 of 6)" in e.subject for e in told)
    to_staff = told.get(recipient=staff.email)
    assert "Cancel this program" in to_staff.body_text
    assert reverse("admin:programs_program_change", args=[program.pk]) in to_staff.body_text
    program.refresh_from_db()
    assert program.minimum_announced_for == day
    assert program.status == Program.Status.PUBLISHED  # staff decide; the job cancels nothing


def test_minimum_decision_says_reached_and_a_later_date_announces_again(stripe_standin):
    program = with_minimum(minimum_participants=2)
    staff = staff_with("programs.change_program")
    for email in ("ada@example.com", "bo@example.com"):
        paid(program, stripe_standin, email)
    day = program.minimum_decision_date
    with time_machine.travel(datetime.combine(day, time(12, 0), tzinfo=TORONTO)):
        assert minimum_decisions_announce() == 1
    email = OutboundEmail.objects.get(kind="minimum_decision", recipient=staff.email)
    assert "minimum reached (2 of 2)" in email.subject
    assert "the program runs" in email.body_text

    Program.objects.filter(pk=program.pk).update(minimum_decision_date=day + timedelta(days=3))
    with time_machine.travel(datetime.combine(day + timedelta(days=3), time(9, 0), tzinfo=TORONTO)):
        assert tasks.announce_minimum_decisions() == 1
    assert OutboundEmail.objects.filter(kind="minimum_decision").count() == 2


# --- cancelling a program -------------------------------------------------------------


def cancel(program, actor=None):
    assert program_cancel_start(program_id=program.pk)
    return program_cancel_finish(program_id=program.pk, actor=actor)


def test_minimum_not_reached_staff_cancel_program_refunds_everyone(stripe_standin, staff_user):
    program = with_minimum()
    first = paid(program, stripe_standin, "ada@example.com")
    second = paid(program, stripe_standin, "bo@example.com")
    hold = register(program, email="cy@example.com", name="Cy")
    services.checkout_start(registration=hold)
    hold_session = hold.payments.get().checkout_session_id
    waiting = WaitlistEntry.objects.create(program=program, name="Di", email="di@example.com")

    progress = cancel(program, actor=staff_user)

    assert (progress.ended, progress.refunded, progress.awaiting_refund) == (3, 2, 0)
    assert progress.waitlist_ended == 1
    program.refresh_from_db()
    assert program.status == Program.Status.CANCELLED
    for registration in (first, second):
        registration.refresh_from_db()
        assert registration.status == Registration.Status.REFUNDED
        assert registration.amount_paid.net_cents == 0
        assert list(registration.log.values_list("action", flat=True))[-2:] == [
            "program cancelled",
            "refunded",
        ]
        assert registration.log.get(action="refunded").actor == staff_user
    assert sorted(r["amount"] for r in stripe_standin.refunds.values()) == [45000, 45000]
    hold.refresh_from_db()
    assert hold.status == Registration.Status.CANCELLED
    assert stripe_standin.checkout_sessions[hold_session]["status"] == "expired"
    waiting.refresh_from_db()
    assert waiting.status == WaitlistEntry.Status.CLOSED

    emails = cancelled_emails(program)
    assert sorted(emails.values_list("recipient", flat=True)) == [
        "ada@example.com",
        "bo@example.com",
        "cy@example.com",
        "di@example.com",
    ]
    to_ada = emails.get(recipient="ada@example.com")
    assert to_ada.reference == first.reference
    assert "$450 CAD" in to_ada.body_text
    assert "Mindful Self-Compassion, spring term" in to_ada.body_text
    assert program.next_term.get_absolute_url() in to_ada.body_text
    assert "waitlist" in emails.get(recipient="di@example.com").body_text
    # Nobody else heard anything about it: no per-registration cancellation emails.
    assert not OutboundEmail.objects.filter(kind="cancellation").exists()


def test_minimum_cancelled_program_page_says_cancelled_and_registration_is_closed(client):
    program = with_minimum()
    cancel(program)
    page = client.get(program.get_absolute_url()).content.decode()
    assert "This program has been cancelled" in page
    assert "Mindful Self-Compassion, spring term" in page  # the next term is offered
    assert "runs once" not in page
    with pytest.raises(services.RegistrationRefused):
        register(program, email="late@example.com")


def test_minimum_cancel_program_run_twice_refunds_and_emails_once(stripe_standin):
    program = with_minimum()
    paid(program, stripe_standin, "ada@example.com")
    cancel(program)
    assert not program_cancel_start(program_id=program.pk)
    program_cancel_finish(program_id=program.pk)
    tasks.cancel_program(program.pk)
    assert program_cancellations_resume() == 0

    assert len(stripe_standin.refunds) == 1
    assert cancelled_emails(program).count() == 1


def test_minimum_cancel_program_refund_failing_at_stripe_is_shown_and_retried(
    stripe_standin, client, staff_user
):
    program = with_minimum()
    first = paid(program, stripe_standin, "ada@example.com")
    second = paid(program, stripe_standin, "bo@example.com")
    program_cancel_start(program_id=program.pk)
    # Stripe is down for the first refund: the call and the client's two retries fail.
    stripe_standin.fail_next(3)

    progress = program_cancel_finish(program_id=program.pk)

    assert (progress.refunded, progress.awaiting_refund) == (1, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Registration.Status.CANCELLED  # ended and told, money owed
    assert first.log.filter(action="refund failed").exists()
    assert second.status == Registration.Status.REFUNDED
    assert list(awaiting_refund().values_list("reference", flat=True)) == [first.reference]
    assert cancelled_emails(program).count() == 2  # told at once, refund or not
    client.force_login(staff_user)
    screen = client.get(reverse("admin:programs_program_change", args=[program.pk]))
    assert "Awaiting their refund" in screen.content.decode()
    assert first.reference in screen.content.decode()

    assert tasks.finish_program_cancellations() == 1  # the periodic job

    first.refresh_from_db()
    assert first.status == Registration.Status.REFUNDED
    assert not awaiting_refund().exists()
    assert sorted(r["amount"] for r in stripe_standin.refunds.values()) == [45000, 45000]
    assert cancelled_emails(program).count() == 2


def test_minimum_cancel_program_after_a_crash_gets_stripes_same_refund_back(stripe_standin):
    """A run that reached Stripe and died before it committed: the next run sends the same
    idempotency key, and Stripe answers with the refund it already made."""
    program = with_minimum()
    registration = paid(program, stripe_standin, "ada@example.com")
    program_cancel_start(program_id=program.pk)
    payment = registration.payments.get()
    crashed = payments.refund_create(
        payment_intent_id=payment.payment_intent_id,
        amount_cents=45000,
        idempotency_key=f"refund-program-cancel-{registration.reference}-{payment.pk}",
        reason="The program was cancelled: full refund",
    )

    program_cancel_finish(program_id=program.pk)

    assert list(stripe_standin.refunds) == [crashed.id]
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    assert registration.payments.get().refunds.get().stripe_refund_id == crashed.id


def test_minimum_cancel_program_from_the_admin_needs_its_permission(
    client, stripe_standin, django_capture_on_commit_callbacks
):
    program = with_minimum()
    paid(program, stripe_standin, "ada@example.com")
    cancel_url = reverse("admin:programs_program_cancel", args=[program.pk])
    office = staff_with("programs.view_program", "programs.change_program")
    client.force_login(office)
    screen = client.get(reverse("admin:programs_program_change", args=[program.pk]))
    assert "1 of the minimum 6 registered" in screen.content.decode()
    assert cancel_url not in screen.content.decode()
    assert client.get(cancel_url).status_code == 403
    assert client.post(cancel_url).status_code == 403

    allowed = staff_with("programs.view_program", "programs.cancel_program")
    client.force_login(allowed)
    page = client.get(cancel_url).content.decode()
    assert "1 confirmed participant is refunded in full ($450 in all)" in page
    assert "Mindful Self-Compassion, spring term" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url)

    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status == Program.Status.CANCELLED
    assert len(stripe_standin.refunds) == 1  # the task ran (eagerly, after commit)
    assert cancelled_emails(program).count() == 1
    screen = client.get(reverse("admin:programs_program_change", args=[program.pk]))
    assert "1 refunded in full" in screen.content.decode()
