"""Issue 11, switching terms: a participant moves their own registration to the next term.

Same fee: at once. Dearer: the difference through Checkout, a seat held meanwhile, and
nothing moves until it is paid. Cheaper: the difference refunded. Answers carry over only
to the same questions. Double submits, two tabs, a lapsed hold and a raced last seat
leave one correct state.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox.models import OutboundEmail
from programs.models import PriceOption, Question
from registrations import services
from registrations.models import Answer, Payment, Registration, RegistrationLog, Switch
from registrations.seats import program_seats_left

from ..factories import FacilitatorFactory, ProgramFactory, QuestionFactory, UserFactory
from ..stripe_fixtures import events_of

pytestmark = pytest.mark.django_db


# --- Scenes ---------------------------------------------------------------------------------


@pytest.fixture
def terms(db):
    """This term (starts in 30 days, switching until 7 days before) and the next one, each
    with a facilitator who has an account, the same fee and the same question."""
    now_term = ProgramFactory(title="MSC Winter", slug="msc-winter")
    next_term = ProgramFactory(
        title="MSC Spring", slug="msc-spring", sessions__starts_in=timedelta(days=120)
    )
    now_term.next_term = next_term
    now_term.save(update_fields=["next_term"])
    for program, email in ((now_term, "lead@example.com"), (next_term, "spring@example.com")):
        program.facilitators.add(FacilitatorFactory(user=UserFactory(email=email)))
        QuestionFactory(program=program, text="What brings you here?")
    return now_term, next_term


def paid_in(program, standin, *, user, email=None) -> Registration:
    """Registered and paid through the stand-in, answers given, as a participant does."""
    question = program.questions.first()
    registration = services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name="Ada Example",
            email=email or user.email,
            phone="",
            price_option=program.price_options.first(),
            answers={question.pk: "Rest"} if question else {},
        ),
        user=user,
    )
    services.checkout_start(registration=registration)
    assert standin.pay(registration.payments.get().checkout_session_id)
    services.registration_fulfill(
        checkout_session_id=registration.payments.get().checkout_session_id
    )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    return registration


def switch_url(registration) -> str:
    return reverse("switching:switch", args=[registration.reference])


def refunded_by_stripe(standin) -> list[int]:
    return sorted(refund["amount"] for refund in standin.refunds.values())


def started_switch(registration, target) -> Switch:
    """A held switch to `target` at its one price, as the switch page starts it."""
    return services.switch_start(
        registration=registration,
        target_id=target.pk,
        price_option=target.price_options.get(),
        answers={},
    )


def newcomer(program, n: int = 0) -> Registration:
    """Someone new registering for `program`: a hold on one of its seats."""
    return services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name="Bea Example",
            email=f"bea{n}@example.com",
            phone="",
            price_option=program.price_options.get(),
            answers={},
        ),
    )


def price_of(program, amount: int) -> None:
    program.price_options.update(amount_cents=amount)


# --- Same fee, dearer, cheaper ----------------------------------------------------------------


def test_switch_same_fee_moves_at_once_keeps_answers_and_tells_both_terms(
    client, terms, stripe_standin
):
    now_term, next_term = terms
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)
    client.force_login(person)
    before = timezone.now()

    listing = client.get(reverse("registrations:list")).content.decode()
    assert f"Switch to {next_term.title}" in listing
    page = client.get(switch_url(registration))
    assert page.status_code == 200
    text = page.content.decode()
    assert "None: the same fee" in text and "Kept: the next term asks the same questions" in text
    assert program_seats_left(program=now_term) == 9

    response = client.post(switch_url(registration), {"target": next_term.pk})

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.program == next_term
    assert registration.price_option == next_term.price_options.get()
    assert registration.amount_paid.net_cents == registration.amount_due_cents == 45000
    answer = registration.answers.get()
    assert (answer.question.program, answer.value) == (next_term, "Rest")
    assert program_seats_left(program=now_term) == 10
    assert program_seats_left(program=next_term) == 9
    assert registration.log.filter(action=RegistrationLog.TRANSFERRED).count() == 1
    written = OutboundEmail.objects.filter(created_at__gte=before)
    sent = set(written.values_list("recipient", "subject"))
    assert (person.email, f"You're registered: MSC Spring ({registration.reference})") in sent
    assert ("lead@example.com", "Ada Example moved from MSC Winter") in sent
    assert ("spring@example.com", "Ada Example moved to MSC Spring") in sent
    confirmation = written.get(recipient=person.email)
    assert confirmation.attachments[0]["filename"] == "msc-spring.ics"
    assert stripe_standin.refunds == {}


def test_switch_dearer_term_pays_the_difference_and_moves_only_once_paid(
    client, terms, stripe_standin
):
    now_term, next_term = terms
    price_of(next_term, 50000)
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)
    client.force_login(person)
    assert "You pay $50 more" in client.get(switch_url(registration)).content.decode()

    response = client.post(switch_url(registration), {"target": next_term.pk})

    switch = Switch.objects.get()
    assert response.status_code == 302
    assert response.url == switch.payment.checkout_url
    assert stripe_standin.checkout_sessions[switch.payment.checkout_session_id]["amount_total"] == (
        5000
    )
    registration.refresh_from_db()
    assert registration.program == now_term  # nothing moves before the money arrives
    assert program_seats_left(program=next_term) == 9  # but the seat there is held

    assert stripe_standin.pay(switch.payment.checkout_session_id)
    back = client.get(
        switch_url(registration) + f"?session_id={switch.payment.checkout_session_id}"
    )

    assert back.status_code == 302
    registration.refresh_from_db()
    assert registration.program == next_term
    assert registration.amount_due_cents == 50000
    assert registration.amount_paid.net_cents == 50000
    switch.refresh_from_db()
    assert switch.status == Switch.Status.COMPLETED
    assert program_seats_left(program=next_term) == 9
    assert program_seats_left(program=now_term) == 10
    # The webhook arriving afterwards changes nothing.
    for event in events_of(stripe_standin, "checkout.session.completed"):
        services.stripe_event_process(event=event)
    registration.refresh_from_db()
    assert registration.amount_paid.net_cents == 50000
    assert stripe_standin.refunds == {}


def test_switch_cheaper_term_refunds_the_difference_once(client, terms, stripe_standin):
    now_term, next_term = terms
    price_of(next_term, 40000)
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)
    client.force_login(person)

    first = client.post(switch_url(registration), {"target": next_term.pk})
    again = client.post(switch_url(registration), {"target": next_term.pk})

    assert first.status_code == again.status_code == 302
    registration.refresh_from_db()
    assert registration.program == next_term
    assert refunded_by_stripe(stripe_standin) == [5000]
    assert registration.amount_paid.net_cents == registration.amount_due_cents == 40000
    assert Switch.objects.get().status == Switch.Status.COMPLETED


# --- Abandoned and lapsed payments --------------------------------------------------------------


def test_switch_abandoned_payment_leaves_the_registration_untouched(client, terms, stripe_standin):
    now_term, next_term = terms
    price_of(next_term, 50000)
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)
    client.force_login(person)
    client.post(switch_url(registration), {"target": next_term.pk})
    switch = Switch.objects.get()

    # Back from Checkout without paying: the page offers to pay or to keep things as they are.
    page = client.get(switch_url(registration)).content.decode()
    assert "Keep my current registration" in page
    client.post(switch_url(registration), {"action": "keep"})

    switch.refresh_from_db()
    registration.refresh_from_db()
    assert switch.status == Switch.Status.ABANDONED
    assert registration.program == now_term
    assert registration.amount_paid.net_cents == 45000
    assert program_seats_left(program=next_term) == 10
    assert stripe_standin.checkout_sessions[switch.payment.checkout_session_id]["status"] == (
        "expired"
    )
    assert registration.answers.get().question.program == now_term


def test_switch_hold_lapses_then_a_late_payment_for_a_full_term_is_refunded(
    client, terms, stripe_standin
):
    now_term, next_term = terms
    price_of(next_term, 50000)
    next_term.capacity = 1
    next_term.save(update_fields=["capacity"])
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)
    switch = started_switch(registration, next_term)
    services.switch_checkout(switch=switch, return_url="https://example.com/switch/")
    switch.refresh_from_db()
    session_id = switch.payment.checkout_session_id
    assert stripe_standin.pay(session_id)  # paid, but the word comes only after the lapse
    assert services.switch_holds_expire(now=timezone.now() + timedelta(hours=1)) == 1
    paid_in(next_term, stripe_standin, user=UserFactory())  # the freed last seat is taken
    services.registration_fulfill(checkout_session_id=session_id)

    registration.refresh_from_db()
    switch.refresh_from_db()
    assert registration.program == now_term
    assert switch.status == Switch.Status.ABANDONED
    assert Payment.objects.get(checkout_session_id=session_id).amount_refunded_cents == 5000
    assert registration.amount_paid.net_cents == 45000
    assert registration.log.filter(action="refunded automatically").count() == 1


def test_switch_unpaid_hold_expires_and_frees_the_seat(terms, stripe_standin):
    now_term, next_term = terms
    price_of(next_term, 50000)
    registration = paid_in(now_term, stripe_standin, user=UserFactory())
    switch = started_switch(registration, next_term)
    services.switch_checkout(switch=switch, return_url="https://example.com/switch/")
    assert program_seats_left(program=next_term) == 9

    assert services.switch_holds_expire(now=timezone.now() + timedelta(hours=1)) == 1

    switch.refresh_from_db()
    assert switch.status == Switch.Status.ABANDONED
    assert program_seats_left(program=next_term) == 10
    registration.refresh_from_db()
    assert registration.program == now_term


# --- Duplicates, tabs and the last seat -----------------------------------------------------------


def test_switch_double_click_on_a_dearer_term_opens_one_checkout(client, terms, stripe_standin):
    now_term, next_term = terms
    price_of(next_term, 50000)
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)
    client.force_login(person)

    first = client.post(switch_url(registration), {"target": next_term.pk})
    second = client.post(switch_url(registration), {"target": next_term.pk})
    third = client.post(switch_url(registration), {"action": "pay"})  # a second tab

    assert first.url == second.url == third.url
    assert Switch.objects.count() == 1
    assert Payment.objects.filter(switch__isnull=False).count() == 1
    assert program_seats_left(program=next_term) == 9


def test_switch_refused_when_a_new_registration_took_the_last_seat(client, terms, stripe_standin):
    now_term, next_term = terms
    next_term.capacity = 1
    next_term.save(update_fields=["capacity"])
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)
    client.force_login(person)
    page = client.get(switch_url(registration))  # drawn while the seat was free
    assert "Switch to MSC Spring" in page.content.decode()
    newcomer(next_term)

    response = client.post(switch_url(registration), {"target": next_term.pk})

    assert response.status_code == 200  # the page explains; nothing moved
    assert "Every seat of MSC Spring is taken" in response.content.decode()
    registration.refresh_from_db()
    assert registration.program == now_term
    assert not Switch.objects.exists()


def test_switch_holding_the_last_seat_turns_a_new_registration_away(terms, stripe_standin):
    now_term, next_term = terms
    price_of(next_term, 50000)
    next_term.capacity = 1
    next_term.save(update_fields=["capacity"])
    registration = paid_in(now_term, stripe_standin, user=UserFactory())
    started_switch(registration, next_term)

    with pytest.raises(services.ProgramFull):
        newcomer(next_term)


# --- The window, the questions, who may ----------------------------------------------------------


def test_switch_not_offered_outside_the_window(client, terms, stripe_standin):
    now_term, next_term = terms
    now_term.switch_days_before_start = 40  # the first session is 30 days away
    now_term.save(update_fields=["switch_days_before_start"])
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)
    client.force_login(person)

    assert "Switch to" not in client.get(reverse("registrations:list")).content.decode()
    assert "Switch to" not in client.get(registration.get_absolute_url()).content.decode()
    page = client.get(switch_url(registration)).content.decode()
    assert "The time to switch terms by yourself has passed" in page
    client.post(switch_url(registration), {"target": next_term.pk})
    registration.refresh_from_db()
    assert registration.program == now_term


def test_switch_to_other_questions_asks_them_and_drops_the_old_answers(
    client, terms, stripe_standin
):
    now_term, next_term = terms
    next_term.questions.update(text="Any injuries we should know about?", sensitive=True)
    next_term.price_options.update(label="Spring rate")
    PriceOption.objects.create(program=next_term, label="Supported", amount_cents=30000)
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)
    client.force_login(person)
    question = next_term.questions.get()
    supported = next_term.price_options.get(label="Supported")

    page = client.get(switch_url(registration)).content.decode()
    assert "Any injuries we should know about?" in page
    assert "Supported: $300 ($150 refunded to you)" in page
    refused = client.post(switch_url(registration), {"target": next_term.pk})
    assert refused.status_code == 422
    response = client.post(
        switch_url(registration),
        {"target": next_term.pk, "price": supported.pk, f"q_{question.pk}": "None"},
    )

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.program == next_term
    assert registration.price_label == "Supported"
    assert list(
        Answer.objects.filter(registration=registration).values_list("value", "sensitive")
    ) == [("None", True)]
    assert refunded_by_stripe(stripe_standin) == [15000]


def test_switch_page_is_only_for_the_registrations_owner(client, terms, stripe_standin):
    now_term, next_term = terms
    registration = paid_in(now_term, stripe_standin, user=UserFactory())
    client.force_login(UserFactory())

    assert client.get(switch_url(registration)).status_code == 404
    assert client.post(switch_url(registration), {"target": next_term.pk}).status_code == 404
    registration.refresh_from_db()
    assert registration.program == now_term


def test_switch_keeps_a_question_only_if_text_and_kind_match(terms):
    now_term, next_term = terms
    assert services.same_questions(now_term, next_term)
    next_term.questions.update(kind=Question.Kind.LONG_TEXT)
    assert not services.same_questions(now_term, next_term)


# --- Races on real connections (PostgreSQL) ---------------------------------------------


def _at_once(*actions) -> list:
    """Runs each action on its own connection, all released together; their outcomes."""
    start = threading.Barrier(len(actions))
    outcomes: list = []

    def run(action) -> None:
        try:
            start.wait()
            outcomes.append(action())
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_switch_and_new_registrations_race_for_the_last_seat(terms, stripe_standin):
    now_term, next_term = terms
    next_term.capacity = 1
    next_term.save(update_fields=["capacity"])
    registration = paid_in(now_term, stripe_standin, user=UserFactory())
    price = next_term.price_options.get()

    def switch():
        started = services.switch_start(
            registration=registration, target_id=next_term.pk, price_option=price, answers={}
        )
        return services.switch_complete(switch=started)

    outcomes = _at_once(switch, *(lambda n=n: newcomer(next_term, n) for n in range(4)))

    winners = [o for o in outcomes if isinstance(o, Registration)]
    assert len(winners) == 1, outcomes
    assert next_term.registrations.holding_seats().count() == 1
    registration.refresh_from_db()
    moved = registration.program == next_term
    assert moved == (Switch.objects.filter(status=Switch.Status.COMPLETED).count() == 1)
    assert program_seats_left(program=now_term) == (10 if moved else 9)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_switch_sent_from_two_tabs_at_once_moves_once(terms, stripe_standin):
    now_term, next_term = terms
    price_of(next_term, 40000)
    person = UserFactory()
    registration = paid_in(now_term, stripe_standin, user=person)

    def tab():
        client = Client()
        client.force_login(person)
        return client.post(switch_url(registration), {"target": next_term.pk}).status_code

    assert _at_once(tab, tab) == [302, 302]

    registration.refresh_from_db()
    assert registration.program == next_term
    assert Switch.objects.filter(status=Switch.Status.COMPLETED).count() == 1
    assert refunded_by_stripe(stripe_standin) == [5000]
    assert registration.amount_paid.net_cents == 40000
    assert (
        OutboundEmail.objects.filter(recipient=person.email, subject__contains="MSC Spring").count()
        == 1
    )


def test_switch_admin_lists_switches_without_their_answers(client, terms, stripe_standin):
    now_term, next_term = terms
    next_term.questions.update(text="Any injuries we should know about?")
    registration = paid_in(now_term, stripe_standin, user=UserFactory())
    question = next_term.questions.get()
    switch = services.switch_start(
        registration=registration,
        target_id=next_term.pk,
        price_option=next_term.price_options.get(),
        answers={question.pk: "A sore knee"},
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:registrations_switch_changelist")).content.decode()
    one = client.get(reverse("admin:registrations_switch_change", args=[switch.pk]))

    assert registration.reference in listing
    assert one.status_code == 200
    assert "A sore knee" not in one.content.decode()
