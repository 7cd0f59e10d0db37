"""Staff rights are Django's permissions, not the staff flag (DESIGN rule 8).

A staff member with no permissions sees no more of the portal than a stranger (404)
and gets the admin's 403; a member of the "Program staff" group reads rosters and
answers and cancels with refunds; each narrower permission opens only its own part;
facilitators keep their own programs' rosters without any permission.
"""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboundEmail
from programs.models import Program
from registrations import services
from registrations.models import (
    Answer,
    Refund,
    Registration,
    RegistrationLog,
    WaitlistEntry,
)

from ..facilitate.helpers import portal_pages
from ..factories import (
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    WaitlistEntryFactory,
    staff_with,
)
from ..stripe_fixtures import events_of

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"
HEALTH_ANSWER = "Recovering from knee surgery"


@pytest.fixture
def answered(db):
    """A confirmed participant of a program nobody here facilitates, with a health answer."""
    program = ProgramFactory(title="Winter MSC")
    question = QuestionFactory(program=program, text="Anything about your health?", sensitive=True)
    registration = RegistrationFactory(program=program, name="Ada Lovelace", amount_due_cents=0)
    Answer.objects.create(
        registration=registration,
        question=question,
        question_text=question.text,
        sensitive=True,
        value=HEALTH_ANSWER,
    )
    return registration


def paid_through_stripe(standin, *, program=None):
    """A registration paid on the Stripe stand-in, well before the refund deadline."""
    program = program or ProgramFactory()
    registration = services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name="Bea Example",
            email="bea@example.com",
            phone="",
            price_option=program.price_options.first(),
            answers={},
        ),
    )
    services.checkout_start(registration=registration)
    standin.pay(registration.payments.get().checkout_session_id)
    for event in events_of(standin, "checkout.session.completed"):
        services.stripe_event_process(event=event)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    return registration


def registration_pages(registration):
    return [
        reverse(f"registrations:{name}", args=[registration.reference])
        for name in ("detail", "receipt", "calendar", "cancel")
    ]


def admin_cancel(client, registration, **data):
    return client.post(
        reverse(CHANGELIST),
        {
            "action": "cancel_with_refund",
            ACTION_CHECKBOX_NAME: [registration.pk],
            "apply": "1",
            "reason": "Asked by phone",
            **data,
        },
    )


# --- the portal ----------------------------------------------------------------------


def test_security_plain_staff_get_404_for_every_roster_and_registration(
    client, plain_staff_user, answered
):
    client.force_login(plain_staff_user)
    entry = WaitlistEntryFactory(program=answered.program)
    pages = [
        *portal_pages(answered.program),
        *registration_pages(answered),
        reverse("registrations:waitlist_leave", args=[entry.pk]),
        reverse("facilitate:program_list"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 404, url
        assert HEALTH_ANSWER not in response.content.decode()
        assert "Ada Lovelace" not in response.content.decode()


def test_security_plain_staff_change_nothing_in_the_portal(client, plain_staff_user, answered):
    client.force_login(plain_staff_user)
    program = answered.program
    session = program.sessions.first()
    entry = WaitlistEntryFactory(program=program)
    posts = {
        reverse("registrations:cancel", args=[answered.reference]): {},
        reverse("registrations:waitlist_leave", args=[entry.pk]): {},
        reverse("facilitate:attendance_session", args=[program.slug, session.pk]): {
            f"r{answered.pk}": "present"
        },
        reverse("facilitate:message", args=[program.slug]): {
            "subject": "Hello",
            "body": "Hello",
        },
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    answered.refresh_from_db()
    entry.refresh_from_db()
    assert answered.status == Registration.Status.CONFIRMED
    assert entry.status == WaitlistEntry.Status.WAITING
    assert not answered.attendance.exists()
    assert not OutboundEmail.objects.exists()


def test_security_cancelling_someone_else_needs_the_cancel_permission(client, answered):
    client.force_login(staff_with("registrations.view_registration"))
    url = reverse("registrations:cancel", args=[answered.reference])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    answered.refresh_from_db()
    assert answered.status == Registration.Status.CONFIRMED


def test_security_portal_cancel_with_money_back_needs_the_refund_permission(client, stripe_standin):
    registration = paid_through_stripe(stripe_standin)
    client.force_login(
        staff_with("registrations.view_registration", "registrations.cancel_registration")
    )
    url = reverse("registrations:cancel", args=[registration.reference])

    response = client.post(url, follow=True)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert stripe_standin.refunds == {}
    assert not Refund.objects.exists()
    assert "not set up to give refunds" in response.content.decode()


def test_security_portal_cancel_without_money_back_needs_only_the_cancel_permission(
    client, answered
):
    actor = staff_with("registrations.view_registration", "registrations.cancel_registration")
    client.force_login(actor)
    client.post(reverse("registrations:cancel", args=[answered.reference]))
    answered.refresh_from_db()
    assert answered.status == Registration.Status.CANCELLED
    log = RegistrationLog.objects.get(registration=answered, action="cancelled")
    assert log.actor == actor


def test_security_program_staff_cancel_and_refund_in_the_portal(
    client, program_staff_user, stripe_standin
):
    registration = paid_through_stripe(stripe_standin)
    client.force_login(program_staff_user)
    client.post(reverse("registrations:cancel", args=[registration.reference]))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    assert [r["amount"] for r in stripe_standin.refunds.values()] == [45000]
    assert Refund.objects.get().created_by == program_staff_user


def test_security_plain_staff_cannot_continue_or_release_someone_elses_hold(
    client, plain_staff_user
):
    registration = RegistrationFactory(
        status=Registration.Status.PENDING,
        confirmed_at=None,
        hold_expires_at=timezone.now() + timedelta(minutes=30),
    )
    client.force_login(plain_staff_user)
    pay = reverse("registrations:pay", args=[registration.reference])
    back = reverse("registrations:checkout_cancelled", args=[registration.reference])
    assert client.post(pay).status_code == 404
    assert client.get(back).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert not registration.payments.exists()


def test_security_draft_programs_show_only_to_staff_who_may_view_programs(
    client, plain_staff_user, program_staff_user
):
    draft = ProgramFactory(title="Unannounced retreat", status=Program.Status.DRAFT)
    url = reverse("programs:detail", args=[draft.slug])
    client.force_login(plain_staff_user)
    assert client.get(url).status_code == 404
    client.force_login(program_staff_user)
    assert "Unannounced retreat" in client.get(url).content.decode()


# --- the admin -----------------------------------------------------------------------


def test_security_plain_staff_get_403_in_the_admin(client, plain_staff_user, answered):
    client.force_login(plain_staff_user)
    change = reverse("admin:registrations_registration_change", args=[answered.pk])
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(change).status_code == 403
    response = admin_cancel(client, answered, refund="none")
    assert response.status_code == 403
    answered.refresh_from_db()
    assert answered.status == Registration.Status.CONFIRMED


def test_security_admin_shows_intake_answers_only_with_view_on_answers(client, answered):
    change = reverse("admin:registrations_registration_change", args=[answered.pk])
    client.force_login(staff_with("registrations.view_registration"))
    page = client.get(change)
    assert page.status_code == 200 and "Ada Lovelace" in page.content.decode()
    assert HEALTH_ANSWER not in page.content.decode()
    client.force_login(staff_with("registrations.view_registration", "registrations.view_answer"))
    assert HEALTH_ANSWER in client.get(change).content.decode()


def test_security_admin_cancel_action_needs_the_cancel_permission(client, answered):
    client.force_login(
        staff_with("registrations.view_registration", "registrations.change_registration")
    )
    assert "cancel_with_refund" not in client.get(reverse(CHANGELIST)).content.decode()
    admin_cancel(client, answered, refund="none")
    answered.refresh_from_db()
    assert answered.status == Registration.Status.CONFIRMED


def test_security_admin_cancel_without_the_refund_permission_gives_no_money_back(
    client, stripe_standin
):
    registration = paid_through_stripe(stripe_standin)
    client.force_login(
        staff_with("registrations.view_registration", "registrations.cancel_registration")
    )

    for refund in ("full", "policy", "amount"):
        page = admin_cancel(client, registration, refund=refund, amount="100.00")
        assert page.status_code == 200  # the form again, saying what to fix
        registration.refresh_from_db()
        assert registration.status == Registration.Status.CONFIRMED
    assert stripe_standin.refunds == {}

    admin_cancel(client, registration, refund="none")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert stripe_standin.refunds == {}


def test_security_admin_cancel_with_the_refund_permission_refunds(
    client, program_staff_user, stripe_standin
):
    registration = paid_through_stripe(stripe_standin)
    client.force_login(program_staff_user)
    admin_cancel(client, registration, refund="full")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    assert Refund.objects.get().created_by == program_staff_user


def test_security_admin_actions_that_change_registrations_need_change(client, answered):
    target = ProgramFactory(title="Spring MSC")
    client.force_login(staff_with("registrations.view_registration"))
    page = client.get(reverse(CHANGELIST)).content.decode()
    for action in ("cancel_with_refund", "transfer", "resend_confirmation", "mark_attendance"):
        assert f'value="{action}"' not in page
    client.post(
        reverse(CHANGELIST),
        {
            "action": "transfer",
            ACTION_CHECKBOX_NAME: [answered.pk],
            "apply": "1",
            "program": target.pk,
        },
    )
    answered.refresh_from_db()
    assert answered.program_id != target.pk
    assert not RegistrationLog.objects.filter(registration=answered).exists()


def test_security_resending_an_email_needs_the_resend_permission(client, answered):
    email = OutboundEmail.objects.create(
        kind="confirmation",
        dedup_key="confirmation:test",
        recipient=answered.email,
        subject="You are registered",
        body_text="See you soon.",
        reference=answered.reference,
    )
    changelist = reverse("admin:outbox_outboundemail_changelist")
    resend = {"action": "resend", ACTION_CHECKBOX_NAME: [email.pk]}

    client.force_login(staff_with("outbox.view_outboundemail"))
    assert client.get(changelist).status_code == 200
    client.post(changelist, resend)
    assert OutboundEmail.objects.count() == 1

    client.force_login(staff_with("outbox.view_outboundemail", "outbox.resend_outboundemail"))
    client.post(changelist, resend)
    assert OutboundEmail.objects.count() == 2


def test_security_program_staff_group_holds_what_the_office_needs_and_no_more(
    client, program_staff_user
):
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name="Program staff").permissions.select_related("content_type")
    }
    assert {
        "registrations.view_registration",
        "registrations.view_answer",
        "registrations.cancel_registration",
        "registrations.refund_registration",
        "registrations.message_participants",
        "registrations.view_waitlistentry",
        "registrations.change_discountcode",
        "outbox.resend_outboundemail",
        "programs.change_program",
        "programs.change_question",
    } <= granted
    assert not {p for p in granted if p.startswith(("auth.", "omwellness.", "account."))}
    assert not {p for p in granted if p.endswith("stripeevent")}
    assert (
        not {
            "registrations.delete_registration",
            "registrations.change_answer",
            "registrations.change_payment",
            "registrations.delete_discountcode",
            "programs.delete_program",
        }
        & granted
    )

    client.force_login(program_staff_user)
    assert client.get(reverse(CHANGELIST)).status_code == 200
    assert client.get(reverse("admin:programs_program_changelist")).status_code == 200
    assert client.get(reverse("admin:registrations_stripeevent_changelist")).status_code == 403
    assert client.get(reverse("admin:omwellness_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_security_superusers_keep_everything(client, staff_user, answered):
    client.force_login(staff_user)
    roster = client.get(reverse("facilitate:roster", args=[answered.program.slug]))
    assert HEALTH_ANSWER in roster.content.decode()
    assert client.get(reverse("admin:registrations_stripeevent_changelist")).status_code == 200
    assert 'value="cancel_with_refund"' in client.get(reverse(CHANGELIST)).content.decode()
