from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from registrations import services
from registrations.models import DiscountCode, Payment, Registration, RegistrationLog, WaitlistEntry

from ..factories import ProgramFactory, QuestionFactory, RegistrationFactory, WaitlistEntryFactory
from ..helpers import data_for, register
from ..stripe_fixtures import events_of

pytestmark = pytest.mark.django_db


def join_confirmed(*, program, name, email):
    """Joins the waitlist and opens the emailed confirmation link, as a person would."""
    entry = services.waitlist_join(program=program, name=name, email=email)
    return services.waitlist_confirm(entry=entry)


def fulfil_from_events(standin, event_type="checkout.session.completed"):
    return [services.stripe_event_process(event=e) for e in events_of(standin, event_type)]


def test_registering_holds_a_seat_for_thirty_minutes(program):
    registration = register(program)
    assert registration.status == Registration.Status.PENDING
    held_for = registration.hold_expires_at - registration.created_at
    assert timedelta(minutes=30) <= held_for <= timedelta(minutes=32)
    assert registration.reference.startswith("OMW-") and len(registration.reference) == 9


def test_answers_are_kept_with_the_question_as_asked(program):
    question = QuestionFactory(program=program, text="Why now?", sensitive=True)
    registration = register(program, answers={question.pk: "Curious."})
    answer = registration.answers.get()
    assert (answer.question_text, answer.value, answer.sensitive) == ("Why now?", "Curious.", True)


def test_checkout_session_carries_what_stripe_needs_and_no_personal_data(program, stripe_standin):
    registration = register(program)
    url = services.checkout_start(registration=registration)
    session = next(iter(stripe_standin.checkout_sessions.values()))
    assert url == session["url"]
    assert session["client_reference_id"] == registration.reference
    assert session["customer_email"] == "ada@example.com"
    assert session["currency"] == "cad"
    assert session["amount_total"] == 45000
    assert session["metadata"] == {"registration": registration.reference, "program": program.slug}
    assert "Ada" not in str(session["metadata"])
    payment = registration.payments.get()
    assert payment.checkout_session_id == session["id"]
    assert int(registration.hold_expires_at.timestamp()) == session["expires_at"]


def test_starting_checkout_twice_reuses_the_open_session(program, stripe_standin):
    registration = register(program)
    first = services.checkout_start(registration=registration)
    second = services.checkout_start(registration=registration)
    assert first == second
    assert len(stripe_standin.checkout_sessions) == 1


def test_payment_confirms_the_registration_once(program, stripe_standin, mailoutbox):
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    assert stripe_standin.pay(session_id)

    outcomes = fulfil_from_events(stripe_standin)
    services.registration_fulfill(checkout_session_id=session_id)  # the success page, later

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.hold_expires_at is None
    assert outcomes[0].endswith("confirmed")
    payment = registration.payments.get()
    assert payment.status == Payment.Status.PAID and payment.payment_intent_id.startswith("pi_")
    assert (
        RegistrationLog.objects.filter(registration=registration, action="confirmed").count() == 1
    )


def test_zero_amount_registration_confirms_without_stripe(program):
    DiscountCode.objects.create(code="SCHOLARSHIP", kind="percent", percent_off=100)
    registration = register(program, discount_code="scholarship")
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.amount_due_cents == 0
    assert not registration.payments.exists()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ({"kind": "percent", "percent_off": 10}, 40500),
        ({"kind": "fixed", "amount_off_cents": 5000}, 40000),
        ({"kind": "fixed", "amount_off_cents": 99999}, 0),
    ],
)
def test_discount_codes_reduce_the_amount_due(program, code, expected):
    DiscountCode.objects.create(code="KIND", **code)
    assert register(program, discount_code="kind").amount_due_cents == expected


def test_discount_code_limits_dates_and_program(program):
    other = ProgramFactory()
    now = timezone.now()
    DiscountCode.objects.create(code="ONCE", kind="percent", percent_off=10, max_uses=1)
    DiscountCode.objects.create(
        code="LATER", kind="percent", percent_off=10, valid_from=now + timedelta(days=1)
    )
    DiscountCode.objects.create(code="GONE", kind="percent", percent_off=10, valid_until=now)
    DiscountCode.objects.create(code="ELSEWHERE", kind="percent", percent_off=10, program=other)
    register(program, email="first@example.com", discount_code="ONCE")
    for code, message in [
        ("ONCE", "used up"),
        ("LATER", "not valid yet"),
        ("GONE", "expired"),
        ("ELSEWHERE", "does not exist"),
        ("NOPE", "does not exist"),
    ]:
        with pytest.raises(services.DiscountCodeInvalid, match=message):
            register(program, email=f"{code.lower()}@example.com", discount_code=code)
    assert Registration.objects.filter(program=program).count() == 1


def test_one_active_registration_per_email_and_program(program):
    first = register(program, email="Ada@Example.com")
    with pytest.raises(services.AlreadyRegistered) as refusal:
        register(program, email="ada@example.com")
    assert refusal.value.registration == first
    assert Registration.objects.count() == 1


def test_an_expired_hold_does_not_block_registering_again(program):
    first = register(program)
    with time_machine.travel(timezone.now() + timedelta(minutes=40)):
        second = register(program)
    first.refresh_from_db()
    assert first.status == Registration.Status.EXPIRED
    assert second.status == Registration.Status.PENDING


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"registration_opens_at": timedelta(days=1)}, "not open yet"),
        ({"registration_closes_at": timedelta(minutes=-1)}, "closed"),
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "draft"}, "not open"),
        ({"sessions__starts_in": timedelta(days=-1)}, "closed"),
        ({"sessions__starts_in": timedelta(days=-90)}, "already taken place"),
    ],
)
def test_registration_is_refused_with_the_reason(setup, message):
    now = timezone.now()
    setup = {k: (now + v if k.startswith("registration_") else v) for k, v in setup.items()}
    if "registration_closes_at" in setup:
        setup["registration_opens_at"] = now - timedelta(days=5)
    program = ProgramFactory(**setup)
    with pytest.raises(services.RegistrationRefused, match=message):
        register(program)
    assert not Registration.objects.exists()


def test_full_program_refuses_and_a_lapsed_hold_frees_the_seat():
    program = ProgramFactory(capacity=1)
    register(program, email="first@example.com")
    with pytest.raises(services.ProgramFull):
        register(program, email="second@example.com")
    with time_machine.travel(timezone.now() + timedelta(minutes=32)):
        assert register(program, email="second@example.com").status == "pending"


def test_stale_holds_expire_with_their_checkout_sessions(program, stripe_standin):
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    with time_machine.travel(timezone.now() + timedelta(minutes=35), tick=False):
        assert services.holds_expire_stale() == 1
        assert services.holds_expire_stale() == 0
    registration.refresh_from_db()
    assert registration.status == Registration.Status.EXPIRED
    assert stripe_standin.checkout_sessions[session_id]["status"] == "expired"
    assert registration.payments.get().status == Payment.Status.EXPIRED


def test_a_session_stripe_cannot_expire_is_logged_with_the_reference(
    program, stripe_standin, caplog
):
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    stripe_standin.fail_next(3, status=500)  # the request and the library's two retries
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=35), tick=False),
        caplog.at_level("WARNING", logger="registrations.services.holds"),
    ):
        assert services.holds_expire_stale() == 1
    registration.refresh_from_db()
    assert registration.status == Registration.Status.EXPIRED
    (record,) = [r for r in caplog.records if r.name == "registrations.services.holds"]
    assert record.levelname == "WARNING"
    assert registration.reference in record.getMessage()
    assert session_id in record.getMessage()


def test_late_payment_confirms_when_a_seat_is_free(program, stripe_standin):
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    registration.hold_expires_at = timezone.now() - timedelta(minutes=1)
    registration.save()
    stripe_standin.pay(session_id)
    fulfil_from_events(stripe_standin)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert "seat was free" in registration.log.get(action="confirmed").message


def test_late_payment_for_a_full_program_is_refunded_in_full(stripe_standin, mailoutbox):
    program = ProgramFactory(capacity=1)
    late = register(program, email="late@example.com")
    services.checkout_start(registration=late)
    session_id = late.payments.get().checkout_session_id
    with time_machine.travel(timezone.now() + timedelta(minutes=32)):
        services.holds_expire_stale()
        RegistrationFactory(program=program)  # someone else takes the seat
        stripe_standin.pay(session_id) if stripe_standin.checkout_sessions[session_id][
            "status"
        ] == "open" else None
    # The stand-in expired the session at Stripe; force the payment through as a race would.
    stripe_standin.checkout_sessions[session_id]["status"] = "open"
    stripe_standin.checkout_sessions[session_id]["expires_at"] = int(
        (timezone.now() + timedelta(minutes=30)).timestamp()
    )
    assert stripe_standin.pay(session_id)
    fulfil_from_events(stripe_standin)

    late.refresh_from_db()
    payment = late.payments.get()
    assert late.status == Registration.Status.REFUNDED
    assert payment.amount_refunded_cents == payment.amount_cents == 45000
    assert [r["amount"] for r in stripe_standin.refunds.values()] == [45000]
    assert "program was full" in late.log.get(action="refunded automatically").message
    assert program.registrations.holding_seats().count() == 1


def test_refund_quote_follows_the_policy(program, stripe_standin):
    registration = register(program)
    services.checkout_start(registration=registration)
    stripe_standin.pay(registration.payments.get().checkout_session_id)
    fulfil_from_events(stripe_standin)
    first = program.sessions.order_by("starts_at").first().starts_at
    before = first - timedelta(days=program.refund_days_before_start, minutes=1)
    after = first - timedelta(days=program.refund_days_before_start) + timedelta(minutes=1)
    assert services.refund_quote(registration=registration, now=before) == 45000
    assert services.refund_quote(registration=registration, now=after) == 0


def test_cancelling_refunds_frees_the_seat_and_offers_it_to_the_waitlist(stripe_standin):
    program = ProgramFactory(capacity=1)
    registration = register(program)
    services.checkout_start(registration=registration)
    stripe_standin.pay(registration.payments.get().checkout_session_id)
    fulfil_from_events(stripe_standin)
    waiting = WaitlistEntryFactory(program=program)

    services.registration_cancel(registration=registration)

    registration.refresh_from_db()
    waiting.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    assert registration.payments.get().amount_refunded_cents == 45000
    assert list(stripe_standin.refunds.values())[0]["amount"] == 45000
    assert waiting.status == WaitlistEntry.Status.OFFERED
    assert waiting.offer_expires_at - waiting.offered_at == timedelta(hours=48)
    with pytest.raises(services.CancellationRefused):
        services.registration_cancel(registration=registration)
    assert len(stripe_standin.refunds) == 1


def test_staff_partial_refund_is_recorded_with_who_did_it(program, stripe_standin, staff_user):
    registration = register(program)
    services.checkout_start(registration=registration)
    stripe_standin.pay(registration.payments.get().checkout_session_id)
    fulfil_from_events(stripe_standin)
    services.registration_cancel(
        registration=registration, actor=staff_user, refund_cents=10000, reason="Moved away"
    )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    refund = registration.payments.get().refunds.get()
    assert (refund.amount_cents, refund.created_by) == (10000, staff_user)
    assert registration.log.get(action="cancelled").actor == staff_user
    with pytest.raises(services.CancellationRefused):
        services.registration_cancel(
            registration=RegistrationFactory(program=program), refund_cents=1
        )


def test_waitlist_offer_holds_the_seat_and_lets_only_that_person_register(stripe_standin):
    program = ProgramFactory(capacity=1)
    holder = RegistrationFactory(program=program)
    entry = join_confirmed(program=program, name="Bea", email="bea@example.com")
    assert entry.status == WaitlistEntry.Status.WAITING
    services.registration_cancel(registration=holder)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED
    with pytest.raises(services.ProgramFull):
        register(program, email="someone@example.com")
    with pytest.raises(services.OfferInvalid):
        services.registration_create(
            program=program, data=data_for(program, "other@example.com"), offer_token=entry.token
        )
    registration = services.registration_create(
        program=program, data=data_for(program, "bea@example.com"), offer_token=entry.token
    )
    entry.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert entry.status == WaitlistEntry.Status.ACCEPTED


def test_unused_offer_passes_to_the_next_person():
    program = ProgramFactory(capacity=1)
    holder = RegistrationFactory(program=program)
    first = join_confirmed(program=program, name="First", email="first@example.com")
    second = join_confirmed(program=program, name="Second", email="second@example.com")
    services.registration_cancel(registration=holder)
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert services.waitlist_offers_expire() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitlistEntry.Status.EXPIRED
    assert second.status == WaitlistEntry.Status.OFFERED


def test_raising_capacity_offers_the_new_seats():
    program = ProgramFactory(capacity=1)
    RegistrationFactory(program=program)
    entry = join_confirmed(program=program, name="W", email="w@example.com")
    program.capacity = 2
    program.save()
    services.waitlist_offers_expire()
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.OFFERED


def test_leaving_the_waitlist_passes_an_offer_on():
    program = ProgramFactory(capacity=1)
    holder = RegistrationFactory(program=program)
    first = join_confirmed(program=program, name="First", email="first@example.com")
    second = join_confirmed(program=program, name="Second", email="second@example.com")
    services.registration_cancel(registration=holder)
    services.waitlist_leave(entry=first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (
        WaitlistEntry.Status.LEFT,
        WaitlistEntry.Status.OFFERED,
    )


def test_transfer_moves_the_seat(program, staff_user):
    registration = RegistrationFactory(program=program)
    target = ProgramFactory()
    services.registration_transfer(
        registration=registration,
        program=target,
        price_option=target.price_options.get(),
        actor=staff_user,
    )
    registration.refresh_from_db()
    assert registration.program == target
    assert registration.log.get(action="transferred").actor == staff_user


def test_cancelling_a_hold_makes_its_checkout_unpayable(program, stripe_standin):
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    services.registration_cancel(registration=registration)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert stripe_standin.checkout_sessions[session_id]["status"] == "expired"
    assert not stripe_standin.pay(session_id)


def test_transfer_leaves_the_answers_given_with_their_program(program, staff_user):
    # Answers belong to the program they were given for (DESIGN rule 10): they used to
    # move with the registration; now they stay behind, deleted, and the log says so.
    question = QuestionFactory(program=program, text="Why now?")
    registration = register(program, answers={question.pk: "Curious."})
    services.registration_confirm(registration=registration)
    target = ProgramFactory()
    services.registration_transfer(
        registration=registration,
        program=target,
        price_option=target.price_options.get(),
        actor=staff_user,
    )
    assert not registration.answers.exists()
    assert registration.log.get(action="answers removed").message.startswith("1 intake answer")


def test_each_refusal_says_what_it_is_and_none_claims_the_program_is_full(program):
    """A refusal's class names its reason: a page or a caller that offers the waitlist
    on ProgramFull never does so for an ended price or a settled registration."""
    price = program.price_options.first()
    price.available_until = timezone.now() - timedelta(minutes=1)
    price.save()
    with pytest.raises(services.PriceUnavailable, match="no longer available") as ended:
        register(program, email="late@example.com")
    assert not isinstance(ended.value, services.ProgramFull)

    price.available_until = None
    price.save()
    registration = register(program)
    services.registration_confirm(registration=registration, reason="paid at the desk")
    with pytest.raises(services.NotAwaitingPayment, match="not waiting for payment") as settled:
        services.checkout_start(registration=registration)
    assert not isinstance(settled.value, services.ProgramFull)
