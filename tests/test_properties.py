"""Property-based tests: whatever anyone posts to a form or the webhook, never a 500, and
a refusal leaves the database exactly as it was.

Hypothesis throws arbitrary text, unicode, huge values, several values for one field,
missing and extra fields and raw bytes at every form in the site, and random bodies,
headers and validly signed events with wrong types at the webhook. Each example runs
in a transaction rolled back at its end, so every one starts from the same database.
"""

import json
import time
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from devtools.stripe_standin import signature_header
from facilitate.models import Attendance
from mailing.models import Consent
from omwellness.models import Centre
from outbox import sending
from outbox.models import OutboundEmail
from programs import page_cache
from programs.models import Agreement, Question
from registrations import services
from registrations.models import (
    Refund,
    Registration,
    WaitlistEntry,
)

from .factories import (
    FacilitatorFactory,
    ProgramFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from .helpers import register
from .stripe_fixtures import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

bounded = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- What people (and robots) type ----------------------------------------------------

unicode_text = st.text(st.characters(codec="utf-8"), max_size=60)
huge_text = st.builds(lambda ch, n: ch * n, st.characters(codec="utf-8"), st.integers(300, 30_000))
numbers = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats().map(str),
    st.sampled_from(["0", "-1", "1e309", "NaN", "Infinity", "0x1F", "١٢٣"]),
)
tricky = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\r\nBcc: victim@example.com",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        '=HYPERLINK("http://x")',
        "ada@example.com",
        "ADA@EXAMPLE.COM",
        "𝒶𝒹𝒶@example.com",
        "ada@exämple.com",
        "on",
        "true",
        "present",
        "absent",
        "Yes",
        "No",
        "\u202egnp.exe",
        "🙂" * 50,
    ]
)
junk = st.one_of(unicode_text, huge_text, numbers, tricky)
# A form field: one value, several values for the same name, or left out.
field = st.one_of(junk, st.lists(junk, min_size=2, max_size=3), st.none())
extra_fields = st.dictionaries(unicode_text.filter(bool), junk, max_size=3)


def form(fields: dict) -> st.SearchStrategy[dict]:
    """Form data: each known field valid, junk or missing, plus unknown fields."""
    strategies = {name: st.one_of(valid, field) for name, valid in fields.items()}

    def drop_missing(data: dict, extra: dict) -> dict:
        merged = {**extra, **data}
        return {key: value for key, value in merged.items() if value is not None}

    return st.builds(drop_missing, st.fixed_dictionaries(strategies), extra_fields)


# --- The database, as a reader would see it ---------------------------------------------

SNAPSHOT_APPS = (
    "omwellness", "programs", "outbox", "mailing", "registrations", "facilitate", "account",
)  # fmt: skip


@pytest.fixture(autouse=True)
def centre_details(db):
    """The centre's one row, as on any site that has shown a page or sent an email
    (`Centre.current()` makes it at its first read, which is no change a form made)."""
    Centre.current()


def snapshot() -> dict:
    """Every row of the site's own tables and allauth's (the session table aside)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in SNAPSHOT_APPS
        for model in apps.get_app_config(app).get_models()
    }


@contextmanager
def rolled_back():
    """One example: its writes are undone at the end, the cache and outbox emptied."""
    cache.clear()
    page_cache.drop_held()
    mail.outbox = []
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def post(client: Client, path: str, data: dict | bytes) -> HttpResponse:
    if isinstance(data, bytes):
        return client.post(path, data, content_type="application/x-www-form-urlencoded")
    return client.post(path, data)


def has_nul(query: dict) -> bool:
    """Addresses carrying NUL are refused outright (omwellness/middleware.py)."""
    texts = list(query)
    for value in query.values():
        texts += value if isinstance(value, list) else [value]
    return any("\x00" in text for text in texts)


def only_new_emails(before: dict, after: dict) -> list[tuple[str, str]]:
    """(kind, recipient) of the emails written between two snapshots, which must
    otherwise be the same."""
    old = {row["id"] for row in before["outbox.OutboundEmail"]}
    new = [row for row in after["outbox.OutboundEmail"] if row["id"] not in old]
    assert {**after, "outbox.OutboundEmail": []} == {
        **before,
        "outbox.OutboundEmail": [],
    }
    return [(row["kind"], row["recipient"]) for row in new]


def never_a_server_error(response) -> None:
    assert response.status_code < 500 or response.status_code == 503, response.status_code


# --- Registration and waitlist ------------------------------------------------------------


@pytest.fixture
def open_program(stripe_standin):
    program = ProgramFactory(capacity=5)
    program.price_options.create(label="Supported", amount_cents=30000)
    questions = [
        QuestionFactory(program=program, text="Why now?", kind=Question.Kind.LONG_TEXT),
        QuestionFactory(
            program=program, kind=Question.Kind.CHOICE, choices="Never\nA little\nOften"
        ),
        QuestionFactory(program=program, kind=Question.Kind.YES_NO, sensitive=True),
        QuestionFactory(program=program, kind=Question.Kind.SHORT_TEXT, required=False),
    ]
    RegistrationFactory(program=program, email="taken@example.com")
    Agreement.current()  # its first version, made by the first form the site draws
    return program, questions


@bounded
@given(data=st.data())
def test_registration_form_never_fails_and_a_refusal_changes_nothing(data, open_program):
    program, questions = open_program
    prices = [str(pk) for pk in program.price_options.values_list("pk", flat=True)]
    fields = {
        "name": st.sampled_from(["Ada Example", "  Ada   Example "]),
        "email": st.sampled_from(["ada@example.com", "taken@example.com"]),
        "phone": st.sampled_from(["416-555-0123", "+44 20 7946 0958", ""]),
        "price_option": st.sampled_from(prices),
        "discount_code": st.just(""),
        "agree": st.just("on"),
        f"q_{questions[0].pk}": unicode_text,
        f"q_{questions[1].pk}": st.sampled_from(["Never", "Often"]),
        f"q_{questions[2].pk}": st.sampled_from(["Yes", "No"]),
        f"q_{questions[3].pk}": unicode_text,
    }
    posted = data.draw(st.one_of(form(fields), st.binary(max_size=2000)))
    offer = data.draw(st.one_of(st.just(""), junk))
    path = reverse("registrations:register", args=[program.slug])
    if offer:
        path += "?offer=" + quote(offer)
    with rolled_back():
        before = snapshot()
        response = post(Client(), path, posted)

        never_a_server_error(response)
        if response.status_code == 303:
            created = Registration.objects.exclude(
                pk__in=[row["id"] for row in before["registrations.Registration"]]
            ).get()
            assert created.status == Registration.Status.PENDING
            assert created.payments.get().checkout_url == response["Location"]
        elif response.status_code == 200 and "Check your email" in response.content.decode():
            # An address already registered: the page reveals nothing, the owner is emailed.
            sent = only_new_emails(before, snapshot())
            assert sent == [("registration_link", "taken@example.com")]
        else:
            assert response.status_code in ((200, 422) if "\x00" not in offer else (400,))
            assert snapshot() == before


@pytest.fixture
def full_program(db):
    program = ProgramFactory(capacity=1)
    RegistrationFactory(program=program)
    WaitlistEntryFactory(program=program, email="waiting@example.com")
    return program


@bounded
@given(
    posted=st.one_of(
        form(
            {
                "name": st.just("Bea Example"),
                "email": st.sampled_from(["bea@example.com", "WAITING@example.com"]),
            }
        ),
        st.binary(max_size=2000),
    )
)
def test_waitlist_form_never_fails_and_a_refusal_changes_nothing(posted, full_program):
    with rolled_back():
        before = snapshot()
        response = post(
            Client(), reverse("registrations:waitlist_join", args=[full_program.slug]), posted
        )

        never_a_server_error(response)
        if "Check your email to confirm" in response.content.decode():
            # The same answer for a new address and one already waiting: only the email
            # differs (a confirmation link, or the owner's own link).
            joined = WaitlistEntry.objects.exclude(
                pk__in=[row["id"] for row in before["registrations.WaitlistEntry"]]
            )
            after = snapshot()
            if joined.exists():
                assert joined.get().status == WaitlistEntry.Status.UNCONFIRMED
                after.pop("registrations.WaitlistEntry")
                before.pop("registrations.WaitlistEntry")
            (sent,) = only_new_emails(before, after)
            assert sent[0] in ("waitlist_confirm", "waitlist_link")
        else:
            assert response.status_code == 200
            assert snapshot() == before


@bounded
@given(token=junk, action=field)
def test_waitlist_links_with_any_token_never_fail(token, action, full_program):
    entry = WaitlistEntry.objects.get()
    with rolled_back():
        before = snapshot()
        client = Client()
        for path in (
            f"/waitlist/{quote(token, safe='')}/",
            f"/waitlist/{quote(token, safe='')}/accept/",
        ):
            never_a_server_error(client.get(path))
        response = post(client, f"/waitlist/{entry.token}/", {"action": action or ""})
        never_a_server_error(response)
        if action != "leave":
            assert snapshot() == before


@bounded
@given(
    posted=st.one_of(
        form(
            {
                "email": st.sampled_from(["bea@example.com", "BEA@example.com"]),
                "name": st.sampled_from(["", "Bea Example"]),
                "consent": st.just("on"),
                "program": st.just("program-0"),
            }
        ),
        st.binary(max_size=2000),
    )
)
def test_consent_form_never_fails_and_a_refusal_changes_nothing(posted, full_program):
    with rolled_back():
        before = snapshot()
        response = post(Client(), reverse("mailing:subscribe"), posted)

        never_a_server_error(response)
        if "Check your email to confirm" in response.content.decode():
            after = snapshot()
            (consent,) = after["mailing.Consent"]
            assert consent["confirmed_at"] is None  # counts only once confirmed
            for label in ("mailing.Consent", "mailing.Subscriber"):
                before.pop(label), after.pop(label)
            assert only_new_emails(before, after) == [("consent_confirm", consent["email"])]
        else:
            assert response.status_code in (400, 422)
            assert snapshot() == before


@bounded
@given(token=junk)
def test_consent_links_with_any_token_never_fail_nor_change_anything(token, db):
    with rolled_back():
        before = snapshot()
        client = Client()
        for name in ("mailing:confirm", "mailing:unsubscribe"):
            address = reverse(name) + f"?token={quote(token, safe='')}"
            never_a_server_error(client.get(address))
            never_a_server_error(client.post(address))
        assert snapshot() == before
        assert not Consent.objects.exists()


# --- A registration's own pages: links with a token, pay, cancel -------------------------


@pytest.fixture
def pending_registration(stripe_standin):
    program = ProgramFactory()
    registration = register(program, email="ada@example.com")
    services.checkout_start(registration=registration)
    return registration


@settings(bounded, max_examples=15)
@given(token=junk, session_id=junk, reference=junk, extra=extra_fields)
def test_registration_links_with_any_token_never_fail_nor_change_anything(
    token, session_id, reference, extra, pending_registration, user
):
    real = pending_registration.reference
    with rolled_back():
        clients = (Client(), signed_in(user))
        before = snapshot()
        for client in clients:
            for ref in (real, reference):
                base = f"/registrations/{quote(ref, safe='') or 'x'}"
                query = {"token": token, "session_id": session_id}
                for path in ("/", "/receipt/", "/calendar.ics", "/cancel/", "/paid/"):
                    never_a_server_error(client.get(base + path, query))
                for path in ("/cancel/", "/pay/", "/checkout-cancelled/"):
                    response = client.post(base + path, {"token": token, **extra})
                    never_a_server_error(response)
                    assert response.status_code in (302, 400, 404, 405), (
                        path,
                        response.status_code,
                    )
        assert snapshot() == before


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- The facilitator portal --------------------------------------------------------------


@pytest.fixture
def portal(db):
    """A facilitator's program with a long title, three confirmed participants, a session
    already held and a sensitive intake answer."""
    teacher = UserFactory(name="Lead teacher")
    program = ProgramFactory(title="Mindful Self-Compassion " + "and a long title " * 10)
    program.facilitators.add(FacilitatorFactory(user=teacher))
    participants = [RegistrationFactory(program=program) for _ in range(3)]
    question = QuestionFactory(program=program, text="Health?", sensitive=True)
    participants[0].answers.create(
        question=question, question_text=question.text, sensitive=True, value="Private detail"
    )
    session = program.sessions.first()
    session.starts_at = timezone.now() - timedelta(days=1)
    session.ends_at = session.starts_at + timedelta(hours=2)
    session.save()
    return teacher, program, participants, session


@bounded
@given(data=st.data())
def test_attendance_form_saves_only_valid_marks_and_a_refusal_changes_nothing(data, portal):
    teacher, program, participants, session = portal
    marks = {
        f"r{registration.pk}": st.one_of(st.sampled_from(["present", "absent", ""]), junk)
        for registration in participants
    }
    posted = data.draw(
        st.builds(lambda m, extra: {**extra, **m}, st.fixed_dictionaries(marks), extra_fields)
    )
    session_pk = data.draw(st.one_of(st.just(str(session.pk)), st.integers(0, 10**30).map(str)))
    path = f"/facilitate/{program.slug}/attendance/{session_pk}/"
    with rolled_back():
        client = signed_in(teacher)
        before = snapshot()
        response = post(client, path, posted)

        never_a_server_error(response)
        if response.status_code == 302:
            saved = {a.registration_id: a.present for a in Attendance.objects.all()}
            assert saved == {
                registration.pk: posted[f"r{registration.pk}"] == "present"
                for registration in participants
                if posted[f"r{registration.pk}"] in ("present", "absent")
            }
        else:
            assert response.status_code in (200, 404)
            assert snapshot() == before


@bounded
@given(
    posted=form(
        {"subject": st.just("This week"), "body": st.just("Bring a blanket.")},
    )
)
@example(posted={"subject": "This week\r\nBcc: everyone@example.com", "body": "Hello"})
@example(posted={"subject": "S" * 150, "body": "A subject as long as the form allows."})
def test_message_form_sends_what_it_accepts_and_a_refusal_changes_nothing(posted, portal):
    teacher, program, participants, _ = portal
    with rolled_back():
        client = signed_in(teacher)
        before = snapshot()
        response = post(client, f"/facilitate/{program.slug}/message/", posted)

        never_a_server_error(response)
        if response.status_code == 302:
            emails = OutboundEmail.objects.filter(kind="message")
            assert sorted(e.recipient for e in emails) == sorted(p.email for p in participants)
            for email in emails:
                assert sending.send(email_id=email.pk).outcome == "sent"
            assert len(mail.outbox) == len(participants)
            assert all(program.title[:20] in message.subject for message in mail.outbox)
        else:
            assert response.status_code == 200
            assert snapshot() == before


@bounded
@given(answers=field, sensitive=field, session=field, extra=extra_fields)
def test_roster_export_and_sign_in_sheet_take_any_options(
    answers, sensitive, session, extra, portal
):
    teacher, program, _, _ = portal
    client = signed_in(teacher)
    options = {"answers": answers, "sensitive": sensitive, **extra}
    options = {key: value for key, value in options.items() if value is not None}
    with rolled_back():
        before = snapshot()
        export = client.get(f"/facilitate/{program.slug}/roster.csv", options)
        if has_nul(options):
            assert export.status_code == 400
        else:
            assert export.status_code == 200
            assert export["Content-Type"] == "text/csv; charset=utf-8"
            if not sensitive:  # a checkbox left unticked sends nothing
                assert "Private detail" not in export.content.decode()
        query = {"session": session} if session is not None else {}
        sheet = client.get(f"/facilitate/{program.slug}/sign-in-sheet/", query)
        assert sheet.status_code == (400 if has_nul(query) else 200)
        after = snapshot()
        # An export with health answers in it is recorded (privacy); nothing else changes.
        records = after.pop("omwellness.SensitiveAccess")
        assert before.pop("omwellness.SensitiveAccess") == []
        assert after == before
        assert [r["what"] for r in records] in (
            [],
            ["roster CSV export with health answers"],
        )


# --- allauth ------------------------------------------------------------------------------


@pytest.fixture
def member(db):
    return UserFactory(email="member@example.com")


@bounded
@given(
    which=st.sampled_from(["login", "signup", "request_code", "reset"]),
    posted=st.one_of(
        form(
            {
                "login": st.just("member@example.com"),
                "email": st.sampled_from(["member@example.com", "new@example.com"]),
                "password": st.just("not the password"),
                "password1": st.just("a long passphrase 0193"),
                "password2": st.just("a long passphrase 0193"),
                "remember": st.just("on"),
            }
        ),
        st.binary(max_size=2000),
    ),
)
def test_account_forms_never_fail_and_a_refusal_changes_nothing(which, posted, member):
    path = {
        "login": reverse("account_login"),
        "signup": reverse("account_signup"),
        "request_code": reverse("account_request_login_code"),
        "reset": reverse("account_reset_password"),
    }[which]
    with rolled_back():
        before = snapshot()
        response = post(Client(), path, posted)

        never_a_server_error(response)
        if response.status_code != 302:
            assert response.status_code in (200, 429)
            assert snapshot() == before
        elif which == "login":
            assert snapshot() == before  # a wrong password never signs anyone in


@bounded
@given(code=field, extra=extra_fields)
def test_login_code_confirmation_takes_any_code(code, extra, member):
    with rolled_back():
        client = Client()
        client.post(reverse("account_request_login_code"), {"email": member.email})
        before = snapshot()
        data = {**extra, **({"code": code} if code is not None else {})}
        response = client.post(reverse("account_confirm_login_code"), data)
        never_a_server_error(response)
        assert "_auth_user_id" not in client.session
        assert snapshot() == before


# --- The webhook ---------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        unicode_text,
        tricky,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(unicode_text, children, max_size=4)
    ),
    max_leaves=12,
)
HANDLED_TYPES = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "charge.refunded",
]


def signed(body: bytes, secret: str = WEBHOOK_SECRET) -> dict:
    return {"Stripe-Signature": signature_header(body.decode("utf-8", "replace"), secret)}


@pytest.fixture
def paid_elsewhere(stripe_standin):
    """A registration paid at Stripe whose events have not arrived."""
    registration = register(ProgramFactory(), email="ada@example.com")
    services.checkout_start(registration=registration)
    payment = registration.payments.get()
    stripe_standin.pay(payment.checkout_session_id)
    return registration, payment


@bounded
@given(
    body=st.one_of(st.binary(max_size=3000), json_values.map(lambda v: json.dumps(v).encode())),
    signature=st.one_of(
        st.none(),
        junk,
        st.builds(
            lambda t, v: f"t={t},v1={v}",
            st.integers(0, 2**40),
            st.text("0123456789abcdef", min_size=64, max_size=64),
        ),
    ),
)
def test_webhook_refuses_anything_unsigned_and_changes_nothing(body, signature, paid_elsewhere):
    headers = {} if signature is None else {"Stripe-Signature": signature}
    with rolled_back():
        before = snapshot()
        response = Client().post(
            "/stripe/webhook/", body, content_type="application/json", headers=headers
        )
        assert response.status_code == 400
        assert snapshot() == before


SESSION, INTENT = "<the paid session>", "<its payment intent>"


def stripe_like_events() -> st.SearchStrategy:
    """Events shaped like Stripe's, with any field of the wrong type or value. SESSION and
    INTENT stand for the ids of a real payment, filled in when the event is sent."""
    ids = st.one_of(st.sampled_from([SESSION, INTENT]), json_values)
    obj = st.fixed_dictionaries(
        {},
        optional={
            "id": ids,
            "object": st.one_of(st.sampled_from(["checkout.session", "charge"]), json_values),
            "payment_intent": ids,
            "amount_refunded": st.one_of(st.integers(-(2**70), 2**70), json_values),
            "client_reference_id": json_values,
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(
                st.text("abcdef0123456789", min_size=1).map("evt_".__add__), json_values
            ),
            "type": st.one_of(st.sampled_from(HANDLED_TYPES), json_values),
            "data": st.one_of(
                st.fixed_dictionaries({"object": st.one_of(obj, json_values)}), json_values
            ),
            "object": st.one_of(st.just("event"), json_values),
            "created": st.one_of(st.just(int(time.time())), json_values),
        },
    )


@bounded
@given(event=st.one_of(stripe_like_events(), json_values))
@example(  # a refund of a charge made outside Checkout: it has no payment intent
    event={
        "id": "evt_1",
        "type": "charge.refunded",
        "data": {"object": {"payment_intent": None, "amount_refunded": 500}},
    }
)
@example(
    event={"id": "evt_2", "type": "checkout.session.completed", "data": {"object": {"id": SESSION}}}
)
def test_webhook_signed_events_of_any_shape_never_fail_nor_move_money_wrongly(
    event, paid_elsewhere, stripe_standin
):
    registration, payment = paid_elsewhere
    intent_id = stripe_standin.checkout_sessions[payment.checkout_session_id]["payment_intent"]
    text = json.dumps(event).replace(SESSION, payment.checkout_session_id)
    body = text.replace(INTENT, intent_id).encode()
    with rolled_back():
        before = snapshot()
        response = Client().post(
            "/stripe/webhook/", body, content_type="application/json", headers=signed(body)
        )

        never_a_server_error(response)
        registration.refresh_from_db()
        payment.refresh_from_db()
        if response.status_code != 200:
            assert snapshot() == before
        # Nothing was refunded at Stripe, so nothing may be recorded as refunded here.
        assert payment.amount_refunded_cents == 0 and not Refund.objects.exists()
        if registration.status != Registration.Status.PENDING:
            # Only Stripe's own word can confirm: the event named the real, paid session.
            assert registration.status == Registration.Status.CONFIRMED
            assert payment.checkout_session_id in body.decode()
            assert registration.emails.filter(kind="confirmation").count() == 1
