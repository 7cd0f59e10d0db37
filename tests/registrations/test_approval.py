"""Screening before payment (issue 11): apply, approve onto a hold or the waitlist,
decline, call first, lapse; every step in the log and in "My registrations"."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboundEmail
from registrations import services
from registrations.models import DiscountCode, Registration, RegistrationLog, WaitlistEntry
from registrations.services.checkout import SESSION_SPAN, session_expiry
from registrations.services.errors import AlreadyRegistered, ApplicationDecided

from ..factories import (
    FacilitatorFactory,
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from ..helpers import form_data, register, url

pytestmark = pytest.mark.django_db


def approval_program(**kwargs):
    """A program that requires approval, led by a facilitator with an account, asking
    an ordinary and a sensitive question."""
    program = ProgramFactory(requires_approval=True, **kwargs)
    teacher = UserFactory(email="teacher@example.com")
    program.facilitators.add(FacilitatorFactory(user=teacher))
    QuestionFactory(program=program, text="What brings you?", position=1)
    QuestionFactory(program=program, text="Recent trauma or crisis?", sensitive=True, position=2)
    return program


def answers(program):
    motive, health = program.questions.order_by("position")
    return {f"q_{motive.pk}": "Kinder self-talk", f"q_{health.pk}": "A loss this spring"}


def apply(program, email="ada@example.com"):
    motive, health = program.questions.order_by("position")
    return register(
        program, email=email, answers={motive.pk: "Kinder self-talk", health.pk: "A loss"}
    )


def emails(kind):
    return list(OutboundEmail.objects.filter(kind=kind).order_by("pk"))


def test_approval_form_says_so_plainly_and_on_the_button(client):
    program = approval_program()
    page = client.get(url(program)).content.decode()
    assert "This program asks for an application first" in page
    assert "Send my application" in page
    assert "Continue to payment" not in page
    detail = client.get(program.get_absolute_url()).content.decode()
    assert ">Apply</a>" in detail


def test_approval_application_takes_no_seat_and_emails_applicant_and_facilitators(
    client, stripe_standin
):
    program = approval_program(capacity=1)
    response = client.post(url(program), form_data(program, **answers(program)))

    registration = Registration.objects.get(program=program)
    assert response.status_code == 302
    assert response["Location"] == reverse("registrations:detail", args=[registration.reference])
    assert registration.status == Registration.Status.APPLIED
    assert registration.hold_expires_at is None
    assert program.registrations.holding_seats().count() == 0
    assert stripe_standin.checkout_sessions == {}
    next_page = client.get(response["Location"]).content.decode()
    assert "Your application" in next_page and "What happens next" in next_page
    assert "your application is sent" in next_page
    (to_applicant,) = emails("application_received")
    assert to_applicant.recipient == "ada@example.com"
    assert "Nothing has been charged" in to_applicant.body_text
    (to_teacher,) = emails("application_to_facilitators")
    assert to_teacher.recipient == "teacher@example.com"
    assert f"/facilitate/{program.slug}/applications/" in to_teacher.body_text
    for body in (to_teacher.body_text, to_teacher.body_html, to_applicant.body_text):
        assert "A loss this spring" not in body and "Kinder self-talk" not in body
    assert list(registration.log.values_list("action", flat=True)) == ["applied"]


def test_approval_full_program_still_takes_applications_and_no_public_waitlist(client):
    program = approval_program(capacity=1)
    RegistrationFactory(program=program)
    page = client.get(url(program)).content.decode()
    assert "Send my application" in page and "you join the waitlist" in page
    joined = client.get(reverse("registrations:waitlist_join", args=[program.slug]))
    assert joined.status_code == 302 and joined["Location"] == url(program)


def test_approval_one_open_application_per_person_and_program():
    program = approval_program()
    apply(program)
    with pytest.raises(AlreadyRegistered):
        apply(program, email="ADA@example.com")


def test_approval_holds_a_seat_for_days_and_the_link_opens_a_fresh_checkout(client, stripe_standin):
    program = approval_program(approval_hold_days=3)
    registration = apply(program)
    teacher = program.facilitators.get().user
    before = timezone.now()

    decision = services.application_approve(registration=registration, actor=teacher)

    registration.refresh_from_db()
    assert not decision.waitlisted
    assert registration.status == Registration.Status.PENDING
    assert registration.approved_at is not None
    assert timedelta(days=3) <= registration.hold_expires_at - before < timedelta(days=3, hours=1)
    assert program.registrations.holding_seats().count() == 1
    (approved,) = emails("application_approved")
    assert f"/registrations/{registration.reference}/" in approved.body_text
    assert "Your seat is held until" in approved.body_text and "$450" in approved.body_text
    assert stripe_standin.checkout_sessions == {}  # nothing opened until the person clicks

    client.get(f"/registrations/{registration.reference}/", {"token": registration.access_token})
    page = client.get(f"/registrations/{registration.reference}/").content.decode()
    assert "Continue payment ($450)" in page
    paying = client.post(reverse("registrations:pay", args=[registration.reference]))
    assert paying.status_code == 303
    (session_id,) = stripe_standin.checkout_sessions
    session = stripe_standin.checkout_sessions[session_id]
    # Stripe ends a session within 24 hours, however long the approval holds the seat.
    assert session["expires_at"] - timezone.now().timestamp() < 24 * 3600
    stripe_standin.pay(session_id)
    services.registration_fulfill(checkout_session_id=session_id)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert len(emails("confirmation")) == 1
    actions = list(registration.log.values_list("action", flat=True))
    assert actions == ["applied", "approved", "paid", "confirmed"]


def test_approval_session_expiry_is_fixed_within_a_span_and_never_past_a_day():
    now = timezone.now()
    hold = now + timedelta(days=3)
    first = session_expiry(hold_until=hold, now=now)
    assert timedelta(minutes=30) < first - now < timedelta(hours=24)
    assert session_expiry(hold_until=hold, now=now + timedelta(minutes=5)) == first
    assert (hold - first) % SESSION_SPAN == timedelta(0)
    short = now + timedelta(minutes=31)
    assert session_expiry(hold_until=short, now=now) == short  # ordinary holds unchanged


def test_approval_leaving_checkout_keeps_the_approved_seat(client, stripe_standin):
    program = approval_program()
    registration = apply(program)
    services.application_approve(registration=registration)
    client.get(f"/registrations/{registration.reference}/", {"token": registration.access_token})
    client.post(reverse("registrations:pay", args=[registration.reference]))

    back = client.get(reverse("registrations:checkout_cancelled", args=[registration.reference]))

    registration.refresh_from_db()
    assert back["Location"] == reverse("registrations:detail", args=[registration.reference])
    assert registration.hold_is_live()


def test_approval_of_a_full_program_puts_the_person_on_the_waitlist(client):
    program = approval_program(capacity=1)
    RegistrationFactory(program=program)
    registration = apply(program)

    decision = services.application_approve(registration=registration)

    registration.refresh_from_db()
    assert decision.waitlisted
    assert registration.status == Registration.Status.WAITLISTED
    entry = WaitlistEntry.objects.get(program=program, email="ada@example.com")
    assert entry.status == WaitlistEntry.Status.WAITING  # confirmed already: offered first
    (told,) = emails("application_waitlisted")
    assert "on the waitlist" in told.body_text and entry.token in told.body_text
    assert program.registrations.holding_seats().count() == 1


def test_approval_onto_the_waitlist_keeps_an_earlier_place_and_confirms_it():
    program = approval_program(capacity=1)
    RegistrationFactory(program=program)
    earlier = WaitlistEntryFactory(
        program=program, email="ada@example.com", status=WaitlistEntry.Status.UNCONFIRMED
    )

    services.application_approve(registration=apply(program))

    earlier.refresh_from_db()
    assert earlier.status == WaitlistEntry.Status.WAITING
    assert WaitlistEntry.objects.filter(program=program).count() == 1


def test_approval_declined_with_a_kind_message_charges_nothing(stripe_standin):
    program = approval_program()
    registration = apply(program)

    services.application_decline(
        registration=registration, message="Please reach out again next season."
    )

    registration.refresh_from_db()
    assert registration.status == Registration.Status.DECLINED
    (told,) = emails("application_declined")
    assert "Please reach out again next season." in told.body_text
    assert "Nothing has been charged" in told.body_text
    assert stripe_standin.checkout_sessions == {} and registration.payments.count() == 0
    with pytest.raises(ApplicationDecided):
        services.application_approve(registration=registration)
    # Declined is no longer open: the person may apply again later.
    assert apply(program).status == Registration.Status.APPLIED


def test_approval_call_first_tells_the_person_and_stays_open():
    program = approval_program()
    registration = apply(program)

    services.application_call_first(registration=registration)
    services.application_call_first(registration=registration)  # a second click

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CALL_FIRST
    (told,) = emails("application_call_first")
    assert "reply to this email with a phone number" in told.body_text
    assert services.application_approve(registration=registration).waitlisted is False


def test_approval_lapse_frees_the_seat_offers_it_on_and_tells_the_person(stripe_standin):
    program = approval_program(capacity=1, approval_hold_days=2)
    registration = apply(program)
    services.application_approve(registration=registration)
    waiting = WaitlistEntryFactory(program=program, status=WaitlistEntry.Status.WAITING)

    expired = services.holds_expire_stale(now=timezone.now() + timedelta(days=2, minutes=1))

    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert expired == 1
    assert registration.status == Registration.Status.EXPIRED
    assert waiting.status == WaitlistEntry.Status.OFFERED
    (told,) = emails("approval_lapsed")
    assert "Nothing has been charged" in told.body_text
    assert not stripe_standin.charges
    assert registration.log.filter(action=RegistrationLog.APPROVAL_LAPSED).exists()
    # An ordinary hold that expires sends no such email.
    assert len(emails("approval_lapsed")) == 1


def test_approval_lapsed_may_still_pay_while_a_seat_is_free(client, stripe_standin):
    program = approval_program(capacity=2, approval_hold_days=1)
    registration = apply(program)
    services.application_approve(registration=registration)
    services.holds_expire_stale(now=timezone.now() + timedelta(days=1, minutes=1))
    client.get(f"/registrations/{registration.reference}/", {"token": registration.access_token})
    page = client.get(f"/registrations/{registration.reference}/").content.decode()
    assert "Your approved seat was not kept" in page and "Approval lapsed" in page

    paying = client.post(reverse("registrations:pay", args=[registration.reference]))

    registration.refresh_from_db()
    assert paying.status_code == 303 and paying["Location"].startswith(stripe_standin.url)
    assert (
        registration.hold_is_live()
        and registration.hold_expires_at < timezone.now() + timedelta(hours=1)
    )


def test_approval_my_registrations_show_each_step_and_the_pay_button(client):
    program = approval_program()
    person = UserFactory(email="ada@example.com")
    registration = apply(program)
    services.application_call_first(registration=registration)
    client.force_login(person)

    page = client.get(registration.get_absolute_url()).content.decode()
    assert "A facilitator will call" in page and "Application received" in page
    assert "Continue payment" not in page

    services.application_approve(registration=registration)
    page = client.get(registration.get_absolute_url()).content.decode()
    assert "Approved: seat held for you to pay" in page
    assert "Continue payment ($450)" in page
    listing = client.get(reverse("registrations:list")).content.decode()
    assert "Awaiting payment" in listing and "approved" in listing
    assert "Continue payment" in listing


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_approval_race_for_the_last_seat_gives_one_hold_and_one_waitlist_place():
    program = approval_program(capacity=2)
    RegistrationFactory(program=program)
    first, second = apply(program, "one@example.com"), apply(program, "two@example.com")
    start = threading.Barrier(2)
    outcomes: list[bool] = []

    def approve(registration) -> None:
        try:
            start.wait()
            outcomes.append(services.application_approve(registration=registration).waitlisted)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [False, True]
    assert program.registrations.holding_seats().count() == program.capacity
    statuses = sorted(
        Registration.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == ["pending", "waitlisted"]
    assert WaitlistEntry.objects.filter(program=program, status="waiting").count() == 1


def test_approval_counts_a_discount_code_against_its_limit_when_the_seat_is_taken():
    """Applications hold no seat, so two may carry a code with one use left; the first
    approval takes the use, the second is approved at the full price and its log says why."""
    program = approval_program(capacity=5)
    DiscountCode.objects.create(code="ONCE", kind="percent", percent_off=50, max_uses=1)
    price = program.price_options.first().amount_cents
    first = apply_with_code(program, "ada@example.com")
    second = apply_with_code(program, "grace@example.com")
    assert first.amount_due_cents == second.amount_due_cents == price // 2

    services.application_approve(registration=first)
    services.application_approve(registration=second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.discount_code.code, first.amount_due_cents) == ("ONCE", price // 2)
    assert (second.discount_code, second.amount_due_cents) == (None, price)
    assert second.log.filter(action="discount code dropped").exists()
    assert second.status == first.status == Registration.Status.PENDING


def apply_with_code(program, email):
    motive, health = program.questions.order_by("position")
    return register(
        program,
        email=email,
        discount_code="once",
        answers={motive.pk: "Kinder self-talk", health.pk: "A loss"},
    )
