import json
import threading

import pytest
from django.db import connection
from django.urls import reverse

from devtools.stripe_standin import signature_header
from registrations import services
from registrations.models import Payment, Refund, Registration, StripeEvent

from ..factories import ProgramFactory
from ..helpers import WEBHOOK_URL as URL
from ..helpers import deliver, register
from ..stripe_fixtures import WEBHOOK_SECRET, events_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(program, stripe_standin):
    """A registration paid on the stand-in, its events not yet delivered."""
    registration = register(program)
    services.checkout_start(registration=registration)
    stripe_standin.pay(registration.payments.get().checkout_session_id)
    return registration


def completed(standin) -> dict:
    return events_of(standin, "checkout.session.completed")[0]


def test_webhook_url_is_stable():
    assert reverse("registrations:stripe_webhook") == URL


def test_webhook_confirms_a_paid_registration(client, paid, stripe_standin, mailoutbox):
    response = deliver(client, completed(stripe_standin))
    assert response.status_code == 200
    paid.refresh_from_db()
    assert paid.status == Registration.Status.CONFIRMED
    assert StripeEvent.objects.get().processed_at is not None


def test_webhook_duplicates_are_processed_once(client, paid, stripe_standin, mailoutbox):
    event = completed(stripe_standin)
    for _ in range(5):
        assert deliver(client, event).status_code == 200
    assert StripeEvent.objects.count() == 1
    assert paid.log.filter(action="confirmed").count() == 1
    assert paid.emails.filter(kind="confirmation").count() == 1


def test_webhook_bad_signature_is_400_and_changes_nothing(client, paid, stripe_standin):
    event = completed(stripe_standin)
    assert deliver(client, event, secret="whsec_wrong").status_code == 400
    body = json.dumps(event)
    assert client.post(URL, body, content_type="application/json").status_code == 400
    tampered = json.dumps({**event, "id": "evt_forged"})
    assert (
        client.post(
            URL,
            tampered,
            content_type="application/json",
            headers={"Stripe-Signature": signature_header(body, WEBHOOK_SECRET)},
        ).status_code
        == 400
    )
    paid.refresh_from_db()
    assert paid.status == Registration.Status.PENDING
    assert not StripeEvent.objects.exists()


def test_webhook_acknowledges_and_ignores_unknown_types(client, paid, stripe_standin):
    for event in events_of(stripe_standin, "payment_intent.succeeded") + events_of(
        stripe_standin, "charge.succeeded"
    ):
        response = deliver(client, event)
        assert response.status_code == 200
    assert set(StripeEvent.objects.values_list("outcome", flat=True)) == {"ignored"}
    paid.refresh_from_db()
    assert paid.status == Registration.Status.PENDING


def test_webhook_get_is_refused(client):
    assert client.get(URL).status_code == 405


def test_webhook_in_reverse_order_ends_confirmed(client, paid, stripe_standin, mailoutbox):
    for event in reversed(list(stripe_standin.events.values())):
        assert deliver(client, event).status_code == 200
    paid.refresh_from_db()
    assert paid.status == Registration.Status.CONFIRMED


def test_expired_event_after_payment_does_not_undo_it(client, paid, stripe_standin, mailoutbox):
    deliver(client, completed(stripe_standin))
    session_id = paid.payments.get().checkout_session_id
    expired = {
        **completed(stripe_standin),
        "id": "evt_expired_late",
        "type": "checkout.session.expired",
    }
    expired["data"] = {"object": {**completed(stripe_standin)["data"]["object"], "id": session_id}}
    assert deliver(client, expired).status_code == 200
    paid.refresh_from_db()
    assert paid.status == Registration.Status.CONFIRMED


def test_webhook_finds_a_session_the_app_never_recorded(
    client, program, stripe_standin, mailoutbox
):
    """A crash between Stripe creating the session and our insert loses nothing.

    The person never saw that session's address (it is given only once recorded); trying
    again gets the same session back, by the hold's idempotency key, and records it. Only a
    recorded session can confirm; test_security_money.py covers the others.
    """
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    Payment.objects.all().delete()
    services.checkout_start(registration=registration)
    assert registration.payments.get().checkout_session_id == session_id
    stripe_standin.pay(session_id)
    assert deliver(client, completed(stripe_standin)).status_code == 200
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.payments.get().checkout_session_id == session_id
    assert not stripe_standin.refunds


def test_stripe_outage_answers_503_keeps_nothing_and_the_retry_succeeds(
    client, paid, stripe_standin, mailoutbox
):
    event = completed(stripe_standin)
    stripe_standin.fail_next(3, status=500)
    assert deliver(client, event).status_code == 503
    assert not StripeEvent.objects.exists()
    paid.refresh_from_db()
    assert paid.status == Registration.Status.PENDING
    assert deliver(client, event).status_code == 200
    paid.refresh_from_db()
    assert paid.status == Registration.Status.CONFIRMED


def test_async_payment_waits_then_confirms(client, program, stripe_standin, mailoutbox):
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    stripe_standin.complete_async(session_id)
    deliver(client, completed(stripe_standin))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert registration.payments.get().status == Payment.Status.PROCESSING
    stripe_standin.async_succeed(session_id)
    deliver(client, events_of(stripe_standin, "checkout.session.async_payment_succeeded")[0])
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_async_payment_failure_is_recorded_and_told(client, program, stripe_standin, mailoutbox):
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    stripe_standin.complete_async(session_id)
    deliver(client, completed(stripe_standin))
    stripe_standin.async_fail(session_id)
    deliver(client, events_of(stripe_standin, "checkout.session.async_payment_failed")[0])
    assert registration.payments.get().status == Payment.Status.FAILED
    assert registration.emails.filter(kind="payment_failed").count() == 1


def test_refund_made_in_stripes_dashboard_shows_here(client, paid, stripe_standin, mailoutbox):
    from registrations import payments

    deliver(client, completed(stripe_standin))
    payment = paid.payments.get()
    payments.refund_create(
        payment_intent_id=payment.payment_intent_id,
        amount_cents=45000,
        idempotency_key="dashboard-refund",
        reason="dashboard",
    )
    assert deliver(client, events_of(stripe_standin, "charge.refunded")[0]).status_code == 200
    payment.refresh_from_db()
    paid.refresh_from_db()
    assert payment.amount_refunded_cents == 45000
    assert Refund.objects.get().reason == "Refunded in Stripe"
    assert paid.status == Registration.Status.REFUNDED


def test_our_own_refund_is_not_counted_twice_when_its_event_arrives(
    client, paid, stripe_standin, mailoutbox
):
    deliver(client, completed(stripe_standin))
    services.registration_cancel(registration=paid, refund_cents=10000)
    deliver(client, events_of(stripe_standin, "charge.refunded")[0])
    payment = paid.payments.get()
    assert payment.amount_refunded_cents == 10000
    assert Refund.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_webhook_storm_from_threads_confirms_once(paid, stripe_standin, mailoutbox):
    """The same events five times each, concurrently: one confirmation, one email."""
    from django.test import Client

    events = list(stripe_standin.events.values()) * 5
    statuses = []

    def send(event):
        try:
            statuses.append(deliver(Client(), event).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) == {200}
    paid.refresh_from_db()
    assert paid.status == Registration.Status.CONFIRMED
    assert paid.log.filter(action="confirmed").count() == 1
    assert paid.emails.filter(kind="confirmation").count() == 1
    assert StripeEvent.objects.count() == len(stripe_standin.events)


def test_second_payment_for_one_registration_is_refunded(
    client, program, stripe_standin, mailoutbox
):
    registration = register(program)
    services.checkout_start(registration=registration)
    first_session = registration.payments.get().checkout_session_id
    # A second checkout opened in another tab after the first expired locally.
    Payment.objects.update(status=Payment.Status.EXPIRED)
    registration.hold_expires_at = registration.hold_expires_at.replace(year=2000)
    registration.save()
    services.checkout_start(registration=registration)
    second_session = registration.payments.exclude(checkout_session_id=first_session).get()
    # The new checkout expired the first at Stripe; a payment already under way there
    # when it did still lands, as a race would have it.
    assert stripe_standin.checkout_sessions[first_session]["status"] == "expired"
    stripe_standin.checkout_sessions[first_session]["status"] = "open"
    assert stripe_standin.pay(first_session)
    assert stripe_standin.pay(second_session.checkout_session_id)
    for event in events_of(stripe_standin, "checkout.session.completed"):
        deliver(client, event)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    refunded = [p for p in registration.payments.all() if p.amount_refunded_cents]
    assert len(refunded) == 1 and refunded[0].amount_refunded_cents == refunded[0].amount_cents


def test_full_program_late_payment_over_webhook_is_refunded(client, stripe_standin, mailoutbox):
    program = ProgramFactory(capacity=1)
    registration = register(program)
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    registration.hold_expires_at = registration.hold_expires_at.replace(year=2000)
    registration.status = Registration.Status.EXPIRED
    registration.save()
    register(program, email="taker@example.com")
    stripe_standin.pay(session_id)
    deliver(client, completed(stripe_standin))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    assert registration.payments.get().amount_refunded_cents == 45000
