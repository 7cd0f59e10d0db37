"""Health information stays with the program it was given for (DESIGN rule 10), and a
transfer confirms the new program with its own email, at one of its own prices, all or
nothing (issue 9)."""

import importlib
import re
import threading
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from outbox.models import OutboundEmail
from programs.models import PriceOption, Question
from registrations import emails, services
from registrations.models import Answer, Registration, RegistrationLog

from ..factories import (
    FacilitatorFactory,
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from ..stripe_fixtures import events_of

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:registrations_registration_changelist"
HEALTH_SECRET = "Recovering from heart surgery"


# --- helpers --------------------------------------------------------------------------


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


def act(client, registrations, **data):
    """Applies the admin's transfer action and returns the changelist it lands on."""
    return client.post(
        reverse(CHANGELIST),
        {
            "action": "transfer",
            ACTION_CHECKBOX_NAME: [r.pk for r in registrations],
            "apply": "1",
            **data,
        },
        follow=True,
    )


def admin_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def intake_program(title: str) -> tuple:
    """A program with an ordinary and a sensitive (health) question."""
    program = ProgramFactory(title=title)
    motive = QuestionFactory(program=program, text=f"What brings you to {title}?", position=1)
    health = QuestionFactory(
        program=program, text="Anything about your health?", sensitive=True, position=2
    )
    return program, motive, health


def paid_registration(program, standin, *, email="ada@example.com", answers=None):
    """Registered through the service with answers, paid at the stand-in, confirmed by the
    webhook's event: the confirmation email is in the outbox, as in real life."""
    registration = services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name="Ada Example",
            email=email,
            phone="",
            price_option=program.price_options.first(),
            answers=answers or {},
        ),
    )
    services.checkout_start(registration=registration)
    standin.pay(registration.payments.get().checkout_session_id)
    for event in events_of(standin, "checkout.session.completed"):
        services.stripe_event_process(event=event)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    return registration


def transfer(client, registrations, target, price=None):
    price = price or target.price_options.first()
    return act(client, registrations, program=target.pk, price_option=price.pk)


def answers_url(registration) -> str:
    return reverse("registrations:answers", args=[registration.reference])


def link_in(body: str, path: str) -> str:
    """The address in an email body that leads to `path` (with whatever it carries)."""
    match = re.search(re.escape(path) + r"\S*", body)
    assert match, f"no link to {path} in the email"
    return match.group(0)


# --- transfers: answers stay behind -----------------------------------------------------


def test_security_transfer_removes_old_answers_and_logs_how_many_not_what(
    staff, staff_user, stripe_standin
):
    old, motive, health = intake_program("Winter MSC")
    registration = paid_registration(
        old, stripe_standin, answers={motive.pk: "Kinder self-talk", health.pk: HEALTH_SECRET}
    )
    # An answer whose question was deleted from the old program goes too.
    Answer.objects.create(
        registration=registration, question=None, question_text="Since deleted?", value="Orphan"
    )
    target = ProgramFactory(title="Spring MSC")
    teacher = UserFactory()
    target.facilitators.add(FacilitatorFactory(user=teacher))

    transfer(staff, [registration], target)

    registration.refresh_from_db()
    assert registration.program == target
    assert not Answer.objects.filter(registration=registration).exists()
    removed = registration.log.get(action="answers removed")
    assert removed.message.startswith("3 intake answers") and removed.actor == staff_user
    every_log = " ".join(registration.log.values_list("message", flat=True))
    assert HEALTH_SECRET not in every_log and "Kinder self-talk" not in every_log
    # The new program's facilitator reads none of it.
    staff.force_login(teacher)
    roster = staff.get(reverse("facilitate:roster", args=[target.slug]))
    assert registration.name in roster.content.decode()
    assert HEALTH_SECRET not in roster.content.decode()


def test_security_transfer_emails_a_link_to_the_new_programs_questions(
    staff, stripe_standin, django_capture_on_commit_callbacks, mailoutbox
):
    old, motive, health = intake_program("Winter MSC")
    registration = paid_registration(old, stripe_standin, answers={health.pk: HEALTH_SECRET})
    target, _, _ = intake_program("Spring MSC")

    with django_capture_on_commit_callbacks(execute=True):
        transfer(staff, [registration], target)

    request = OutboundEmail.objects.get(reference=registration.reference, kind="answers_request")
    assert request.recipient == "ada@example.com"
    assert "Spring MSC" in request.subject
    assert answers_url(registration) in request.body_text
    assert answers_url(registration) in request.body_html
    assert "deleted" in request.body_text
    for body in (request.body_text, request.body_html):
        assert HEALTH_SECRET not in body and "Anything about your health?" not in body
    sent = [m for m in mailoutbox if "A few questions before Spring MSC" in m.subject]
    assert len(sent) == 1 and sent[0].to == ["ada@example.com"]


def test_security_transfer_asks_for_no_answers_when_the_target_has_no_questions(
    staff, stripe_standin
):
    old, motive, _ = intake_program("Winter MSC")
    registration = paid_registration(old, stripe_standin, answers={motive.pk: "Curious"})
    target = ProgramFactory(title="Day retreat")  # no questions

    transfer(staff, [registration], target)

    registration.refresh_from_db()
    assert registration.program == target
    assert not Answer.objects.filter(registration=registration).exists()
    assert not OutboundEmail.objects.filter(kind="answers_request").exists()


def test_security_answers_form_shows_the_new_questions_keeps_what_was_typed_and_stores(
    client, staff, stripe_standin, django_capture_on_commit_callbacks, mailoutbox
):
    old, _, old_health = intake_program("Winter MSC")
    registration = paid_registration(old, stripe_standin, answers={old_health.pk: HEALTH_SECRET})
    target, motive, health = intake_program("Spring MSC")
    with django_capture_on_commit_callbacks(execute=True):
        transfer(staff, [registration], target)
    body = next(m.body for m in mailoutbox if "A few questions" in m.subject)
    link = urlsplit(link_in(body, answers_url(registration)))
    token = dict(part.split("=", 1) for part in link.query.split("&") if part).get("token", "")

    client.logout()  # the person, from the emailed link, without an account
    page = client.get(f"{link.path}?{link.query}", follow=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "What brings you to Spring MSC?" in text and "Anything about your health?" in text
    assert "What brings you to Winter MSC?" not in text and HEALTH_SECRET not in text
    assert page["Cache-Control"] == "private, no-store"

    incomplete = client.post(
        link.path, {"token": token, f"q_{motive.pk}": "A friend's advice"}, follow=True
    )
    assert incomplete.status_code == 422
    assert "A friend&#x27;s advice" in incomplete.content.decode()
    assert not Answer.objects.filter(registration=registration).exists()

    done = client.post(
        link.path,
        {"token": token, f"q_{motive.pk}": "A friend's advice", f"q_{health.pk}": "Asthma"},
        follow=True,
    )
    assert done.status_code == 200
    assert "your answers are saved" in done.content.decode()
    stored = dict(
        Answer.objects.filter(registration=registration).values_list("question_id", "value")
    )
    assert stored == {motive.pk: "A friend's advice", health.pk: "Asthma"}
    assert Answer.objects.get(question=health).sensitive
    given = registration.log.get(action="answers given")
    assert given.message == "2 of 2 intake questions answered" and given.actor is None


def test_security_answers_form_opens_only_for_who_may_open_the_registration(client, user):
    program, motive, health = intake_program("Spring MSC")
    owner = UserFactory()
    registration = RegistrationFactory(program=program, email=owner.email, user=owner)
    url = answers_url(registration)
    data = {f"q_{motive.pk}": "Stolen", f"q_{health.pk}": "Stolen"}

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert urlsplit(anonymous["Location"]).path == reverse("account_login")
    assert urlsplit(client.get(url, {"token": "not-the-token"})["Location"]).path == reverse(
        "account_login"
    )
    client.post(url, {**data, "token": "not-the-token"})

    client.force_login(user)  # another participant
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert not Answer.objects.filter(registration=registration).exists()

    client.force_login(owner)
    assert client.get(url).status_code == 200


def test_security_staff_can_fill_in_the_answers_for_the_person(staff, staff_user):
    program, motive, health = intake_program("Spring MSC")
    registration = RegistrationFactory(program=program)
    admin_page = staff.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    )
    assert answers_url(registration) in admin_page.content.decode()

    staff.post(answers_url(registration), {f"q_{motive.pk}": "Told us by phone"})
    staff.post(
        answers_url(registration),
        {f"q_{motive.pk}": "Told us by phone", f"q_{health.pk}": "No"},
    )

    assert set(
        Answer.objects.filter(registration=registration).values_list("question_id", flat=True)
    ) == {motive.pk, health.pk}
    assert registration.log.get(action="answers given").actor == staff_user


def test_security_transfer_help_text_tells_the_truth(staff):
    registration = RegistrationFactory()
    page = staff.post(
        reverse(CHANGELIST), {"action": "transfer", ACTION_CHECKBOX_NAME: [registration.pk]}
    ).content.decode()
    assert "answers are cleared" not in page  # the old text, which was not true
    assert "intake answers given for the old program are deleted" in page
    assert "emailed a link to answer them" in page
    assert "Nothing is charged or refunded" in page
    assert "If any selected registration cannot move, none is moved" in page


# --- transfers: confirmation, price, all or nothing -----------------------------------------


def test_security_transfer_confirms_the_new_program_with_its_own_email(
    staff, stripe_standin, django_capture_on_commit_callbacks, mailoutbox
):
    registration = paid_registration(ProgramFactory(title="Winter MSC"), stripe_standin)
    target = ProgramFactory(title="Spring MSC")

    with django_capture_on_commit_callbacks(execute=True):
        transfer(staff, [registration], target)
        transfer(staff, [registration], ProgramFactory(title="Summer MSC"))

    subjects = list(
        OutboundEmail.objects.filter(reference=registration.reference, kind="confirmation")
        .order_by("created_at", "pk")
        .values_list("subject", flat=True)
    )
    assert [s.split(":")[1].split("(")[0].strip() for s in subjects] == [
        "Winter MSC",
        "Spring MSC",
        "Summer MSC",
    ]
    assert any(m.subject.startswith("You're registered: Spring MSC") for m in mailoutbox)


def test_security_a_registration_moved_back_is_confirmed_again(staff_user, stripe_standin):
    winter = ProgramFactory(title="Winter MSC")
    spring = ProgramFactory(title="Spring MSC")
    registration = paid_registration(winter, stripe_standin)
    for target in (spring, winter):
        services.registration_transfer(
            registration=registration,
            program=target,
            price_option=target.price_options.get(),
            actor=staff_user,
        )
    confirmations = OutboundEmail.objects.filter(
        reference=registration.reference, kind="confirmation"
    )
    assert confirmations.count() == 3
    assert confirmations.filter(subject__startswith="You're registered: Winter MSC").count() == 2


def test_security_transfer_requires_a_price_option_of_the_target(staff, stripe_standin):
    registration = paid_registration(ProgramFactory(title="Winter MSC"), stripe_standin)
    target = ProgramFactory(title="Spring MSC")
    supported = PriceOption.objects.create(program=target, label="Supported", amount_cents=30000)
    elsewhere = ProgramFactory(title="Elsewhere").price_options.get()

    missing = act(staff, [registration], program=target.pk)
    assert "This field is required." in missing.content.decode()
    wrong = act(staff, [registration], program=target.pk, price_option=elsewhere.pk)
    assert "Choose a price of Spring MSC." in wrong.content.decode()
    registration.refresh_from_db()
    assert registration.program.title == "Winter MSC"

    transfer(staff, [registration], target, price=supported)

    registration.refresh_from_db()
    assert (registration.program, registration.price_option) == (target, supported)
    assert (registration.price_label, registration.amount_due_cents) == ("Supported", 45000)
    moved = registration.log.get(action="transferred").message
    assert "price option now Supported ($300)" in moved
    assert "amount due stays $450, paid $450" in moved
    assert "charged and refunded nothing" in moved
    assert "differs by $150" in moved
    assert stripe_standin.refunds == {}


def test_security_transfer_refuses_the_whole_batch_when_an_email_is_already_there(
    staff, stripe_standin
):
    winter = ProgramFactory(title="Winter MSC")
    ada = paid_registration(winter, stripe_standin, email="ada@example.com")
    bea = paid_registration(winter, stripe_standin, email="bea@example.com")
    target = ProgramFactory(title="Spring MSC")
    already = RegistrationFactory(program=target, email="BEA@example.com")
    emails_before = OutboundEmail.objects.count()

    response = transfer(staff, [ada, bea], target)

    assert response.status_code == 200
    shown = admin_messages(response)
    assert (
        f"{bea.reference}: bea@example.com already has a registration in Spring MSC "
        f"({already.reference})." in shown
    )
    assert "Nothing was transferred: all or none move." in shown
    for registration in (ada, bea):
        registration.refresh_from_db()
        assert registration.program == winter
        assert not registration.log.filter(action=RegistrationLog.TRANSFERRED).exists()
    assert OutboundEmail.objects.count() == emails_before


def test_security_transfer_refuses_the_whole_batch_when_seats_run_short(staff):
    winter = ProgramFactory(title="Winter MSC")
    batch = [RegistrationFactory(program=winter) for _ in range(3)]
    target = ProgramFactory(title="Spring MSC", capacity=3)
    RegistrationFactory(program=target)

    response = transfer(staff, batch, target)

    assert (
        "Spring MSC has 2 free seats, and 3 selected registrations would need one each."
        in admin_messages(response)
    )
    assert Registration.objects.filter(program=target).count() == 1


def test_security_transfer_refusals_are_clear_messages_never_a_500(staff):
    winter = ProgramFactory(title="Winter MSC")
    target = ProgramFactory(title="Spring MSC")
    hold = services.registration_create(
        program=winter,
        data=services.RegistrationInput(
            name="Hold",
            email="hold@example.com",
            phone="",
            price_option=winter.price_options.get(),
            answers={},
        ),
    )
    cancelled = RegistrationFactory(program=winter, status=Registration.Status.CANCELLED)
    twin_a = RegistrationFactory(program=winter, email="twin@example.com")
    twin_b = RegistrationFactory(program=ProgramFactory(), email="Twin@example.com")
    there = RegistrationFactory(program=target)

    response = transfer(staff, [hold, cancelled, twin_a, twin_b, there], target)

    assert response.status_code == 200
    shown = " ".join(admin_messages(response))
    assert f"{hold.reference} is awaiting payment" in shown
    assert f"{cancelled.reference} is cancelled" in shown
    assert f"{twin_b.reference}: Twin@example.com is also selected as {twin_a.reference}" in shown
    assert f"{there.reference} is already in Spring MSC." in shown
    assert not Registration.objects.filter(program=target).exclude(pk=there.pk).exists()
    # A program that takes nobody now is a message too.
    target.status = target.Status.CANCELLED
    target.save()
    with pytest.raises(services.TransferRefused) as refusal:
        services.registrations_transfer(
            registrations=[twin_a],
            program=target,
            price_option=target.price_options.get(),
            actor=None,
        )
    assert "Spring MSC takes no registrations now" in refusal.value.problems[0]


def test_security_transfer_takes_the_person_off_the_target_waitlist(staff_user):
    registration = RegistrationFactory(email="ada@example.com")
    target = ProgramFactory(title="Spring MSC")
    entry = WaitlistEntryFactory(program=target, email="ADA@example.com")
    services.registration_transfer(
        registration=registration,
        program=target,
        price_option=target.price_options.get(),
        actor=staff_user,
    )
    entry.refresh_from_db()
    assert entry.status == entry.Status.LEFT


# --- leaving Stripe Checkout -------------------------------------------------------------


def test_security_leaving_checkout_keeps_no_sensitive_answer_in_the_session(client, stripe_standin):
    program = ProgramFactory()
    motive = QuestionFactory(program=program, text="Why now?", kind=Question.Kind.LONG_TEXT)
    health = QuestionFactory(program=program, text="Anything about your health?", sensitive=True)
    client.post(
        reverse("registrations:register", args=[program.slug]),
        {
            "name": "Ada Example",
            "email": "ada@example.com",
            "phone": "",
            "price_option": program.price_options.get().pk,
            "agree": "on",
            f"q_{motive.pk}": "Because.",
            f"q_{health.pk}": HEALTH_SECRET,
        },
    )
    registration = Registration.objects.get()

    back_from_checkout = reverse("registrations:checkout_cancelled", args=[registration.reference])
    client.get(back_from_checkout, {"token": registration.access_token})  # traded for a cookie
    client.get(back_from_checkout)

    kept = client.session["register_again"][program.slug]
    assert kept[f"q_{motive.pk}"] == "Because."
    assert f"q_{health.pk}" not in kept
    assert HEALTH_SECRET not in repr(dict(client.session.items()))
    form = client.get(reverse("registrations:register", args=[program.slug])).content.decode()
    assert "Because." in form and HEALTH_SECRET not in form
    assert "please answer the health questions again" in form


def test_security_leaving_checkout_drops_answers_marked_sensitive_after_they_were_given(
    client, stripe_standin
):
    program = ProgramFactory()
    motive = QuestionFactory(program=program, text="Why now?")
    client.post(
        reverse("registrations:register", args=[program.slug]),
        {
            "name": "Ada Example",
            "email": "ada@example.com",
            "price_option": program.price_options.get().pk,
            "agree": "on",
            f"q_{motive.pk}": HEALTH_SECRET,
        },
    )
    registration = Registration.objects.get()
    Question.objects.filter(pk=motive.pk).update(sensitive=True)  # staff marked it since

    back_from_checkout = reverse("registrations:checkout_cancelled", args=[registration.reference])
    client.get(back_from_checkout, {"token": registration.access_token})  # traded for a cookie
    client.get(back_from_checkout)

    assert HEALTH_SECRET not in repr(dict(client.session.items()))


def test_security_confirmation_dedup_key_names_the_program():
    registration = RegistrationFactory()
    emails.confirmation(registration=registration)
    key = OutboundEmail.objects.get(kind="confirmation").dedup_key
    assert key.startswith(f"confirmation:{registration.pk}:{registration.program_id}.")


def test_security_migration_deletes_answers_that_earlier_transfers_carried():
    # The integrator may renumber the migration; the function keeps its name.
    migration = importlib.import_module(
        "registrations.migrations.0003_health_answers_stay_with_program"
    )
    old, old_motive, _ = intake_program("Winter MSC")
    new, new_motive, _ = intake_program("Spring MSC")
    gone = QuestionFactory(program=new, text="Deleted since?")
    moved = RegistrationFactory(program=new)
    untouched = RegistrationFactory(program=old)
    for registration, question, value in [
        (moved, old_motive, HEALTH_SECRET),
        (moved, new_motive, "Own answer"),
        (moved, gone, "Answer to a deleted question"),
        (untouched, old_motive, "Still in Winter"),
    ]:
        Answer.objects.create(
            registration=registration, question=question, question_text=question.text, value=value
        )
    gone.delete()

    migration.delete_answers_of_other_programs(django_apps, None)

    assert set(Answer.objects.values_list("value", flat=True)) == {
        "Own answer",
        "Answer to a deleted question",
        "Still in Winter",
    }
    assert moved.log.get(action="answers removed").message.startswith("1 intake answer ")
    assert not untouched.log.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_security_concurrent_transfers_of_one_email_move_one_and_refuse_the_rest():
    """Opposite and parallel transfers of the same person into one program, at once."""
    target = ProgramFactory(title="Spring MSC")
    price = target.price_options.get()
    twins = [RegistrationFactory(email="ada@example.com") for _ in range(6)]
    start = threading.Barrier(len(twins))
    outcomes: list[str] = []

    def attempt(registration) -> None:
        try:
            start.wait()
            services.registration_transfer(
                registration=registration, program=target, price_option=price, actor=None
            )
            outcomes.append("moved")
        except services.TransferRefused as refusal:
            outcomes.append(refusal.problems[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(twin,)) for twin in twins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("moved") == 1
    refused = [o for o in outcomes if o != "moved"]
    assert len(refused) == 5
    assert all("already has a registration in Spring MSC" in o for o in refused), refused
    assert target.registrations.active().count() == 1
