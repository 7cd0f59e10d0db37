"""The Stripe stand-in: driven through the official stripe library, raw HTTP and a browser's form.

Plain pytest, no Django: the stand-in is a standard-library server the app's own tests and
the local demo rely on, so it has to behave like Stripe before anything else can trust it.
"""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import stripe

from devtools.stripe_standin import StripeStandin
from devtools.stripe_standin.__main__ import parse_args
from devtools.stripe_standin.params import format_money, parse_form

API_KEY = "sk_test_standin_0123456789"
WEBHOOK_SECRET = "whsec_test_standin_secret"
SAMPLES = Path(__file__).parents[1] / "data" / "stripe"
FAST_RETRIES = (0.05, 0.1)


def session_params(**overrides):
    """The parameters the app sends when a registration goes to checkout."""
    params = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": "cad",
                    "unit_amount": 45000,
                    "product_data": {"name": "Autumn Yoga Retreat"},
                },
                "quantity": 1,
            }
        ],
        "currency": "cad",
        "customer_email": "asha@example.com",
        "client_reference_id": "registration-42",
        "metadata": {"registration": "42"},
        "expires_at": int(time.time()) + 60 * 60,
        "success_url": "http://app.test/registrations/42/paid?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://app.test/registrations/42/",
        "payment_intent_data": {"metadata": {"registration": "42"}},
        "locale": "en",
    }
    params.update(overrides)
    return params


@pytest.fixture
def standin():
    server = StripeStandin(api_key=API_KEY).start()
    yield server
    server.stop()


@pytest.fixture
def client(standin):
    # No automatic retries, so one injected failure is one failed call.
    return stripe.StripeClient(API_KEY, base_addresses={"api": standin.url}, max_network_retries=0)


@pytest.fixture
def paid_session(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    assert standin.pay(session.id)
    return client.v1.checkout.sessions.retrieve(session.id)


class Receiver:
    """A webhook endpoint: records each request and answers with the queued statuses."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stripe/webhook/"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def event_types(self):
        return [json.loads(body)["type"] for _, body in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def standin_with_webhooks(receiver, **options):
    return StripeStandin(
        api_key=API_KEY,
        webhook_url=receiver.url,
        webhook_secret=WEBHOOK_SECRET,
        retry_delays=options.pop("retry_delays", FAST_RETRIES),
        **options,
    ).start()


def raw_request(standin, method, path, body=None, headers=None):
    """One HTTP exchange without following redirects; returns (status, headers, text)."""
    address = urlsplit(standin.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        if body is not None:
            body = urlencode(body)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def api_get(standin, path):
    status, _, text = raw_request(
        standin, "GET", path, headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert status == 200, text
    return json.loads(text)


def card_form(number, **overrides):
    return {
        "card_number": number,
        "card_expiry": "12 / 34",
        "card_cvc": "123",
        "card_name": "Asha Rao",
        **overrides,
    }


# --- Shape: the stand-in's objects look like Stripe's own samples --------------------------


@pytest.mark.parametrize(
    ("resource", "prefix"),
    [
        ("checkout.session", "cs_test_"),
        ("payment_intent", "pi_"),
        ("charge", "ch_"),
        ("refund", "re_"),
        ("event", "evt_"),
    ],
)
def test_objects_have_the_keys_of_stripes_samples(standin, client, paid_session, resource, prefix):
    refund = client.v1.refunds.create(params={"payment_intent": paid_session.payment_intent})
    charge_id = standin.payment_intents[paid_session.payment_intent]["latest_charge"]
    event_id = next(iter(standin.events))
    path = {
        "checkout.session": f"/v1/checkout/sessions/{paid_session.id}",
        "payment_intent": f"/v1/payment_intents/{paid_session.payment_intent}",
        "charge": f"/v1/charges/{charge_id}",
        "refund": f"/v1/refunds/{refund.id}",
        "event": f"/v1/events/{event_id}",
    }[resource]
    sample = json.loads((SAMPLES / f"{resource}.json").read_text())

    returned = api_get(standin, path)

    assert set(returned) == set(sample)
    assert returned["object"] == sample["object"] == resource
    assert returned["id"].startswith(prefix)
    assert sample["id"].startswith(prefix)
    # Stripe's refund carries no livemode at all; everything else says test mode.
    assert returned.get("livemode", False) is False


def test_event_snapshot_has_the_shape_of_the_object(standin, paid_session):
    sample_session = json.loads((SAMPLES / "checkout.session.json").read_text())
    completed = next(e for e in standin.events.values() if e["type"].startswith("checkout."))
    assert completed["type"] == "checkout.session.completed"
    assert set(completed["data"]["object"]) == set(sample_session)
    assert completed["request"] == {"id": None, "idempotency_key": None}


# --- Checkout Sessions through the official library ------------------------------------------


def test_create_session_honours_the_parameters(standin, client):
    params = session_params()

    session = client.v1.checkout.sessions.create(params=params)

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.status, session.payment_status, session.mode) == ("open", "unpaid", "payment")
    assert (session.amount_total, session.amount_subtotal, session.currency) == (
        45000,
        45000,
        "cad",
    )
    assert session.customer_email == "asha@example.com"
    assert session.client_reference_id == "registration-42"
    assert session.metadata.to_dict() == {"registration": "42"}
    assert session.expires_at == params["expires_at"]
    assert session.success_url == params["success_url"]
    assert session.cancel_url == params["cancel_url"]
    assert session.locale == "en"
    assert session.url == f"{standin.url}/pay/{session.id}"
    assert session.payment_intent is None
    assert session.livemode is False


def test_amount_total_sums_line_items(client):
    items = [
        {
            "price_data": {"currency": "cad", "unit_amount": 2500, "product_data": {"name": n}},
            "quantity": q,
        }
        for n, q in (("Class pass", 3), ("Mat rental", 1))
    ]
    session = client.v1.checkout.sessions.create(params=session_params(line_items=items))
    assert session.amount_total == 3 * 2500 + 2500


@pytest.mark.parametrize("seconds_ahead", [60, 25 * 60 * 60])
def test_expires_at_outside_30_minutes_to_24_hours_is_rejected(client, seconds_ahead):
    params = session_params(expires_at=int(time.time()) + seconds_ahead)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params=params)
    assert raised.value.http_status == 400
    assert raised.value.param == "expires_at"


def test_missing_and_unknown_parameters_are_rejected(client):
    with pytest.raises(stripe.InvalidRequestError, match="Missing required param: mode"):
        client.v1.checkout.sessions.create(params=session_params(mode=None))
    with pytest.raises(stripe.InvalidRequestError, match="Received unknown parameter: colour"):
        client.v1.checkout.sessions.create(params=session_params(colour="blue"))


def test_retrieve_expands_the_payment_intent_after_paying(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    assert standin.pay(session.id)

    retrieved = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent"]}
    )

    assert retrieved.status == "complete"
    assert retrieved.payment_status == "paid"
    payment_intent = retrieved.payment_intent
    assert payment_intent.id.startswith("pi_")
    assert payment_intent.status == "succeeded"
    assert payment_intent.amount_received == 45000
    assert payment_intent.metadata.to_dict() == {"registration": "42"}
    charge = client.v1.charges.retrieve(payment_intent.latest_charge)
    assert (charge.paid, charge.captured, charge.status) == (True, True, "succeeded")
    assert client.v1.checkout.sessions.retrieve(session.id).payment_intent == payment_intent.id


def test_expire_an_open_session_once(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    expired = client.v1.checkout.sessions.expire(session.id)

    assert expired.status == "expired"
    assert [e["type"] for e in standin.events.values()] == ["checkout.session.expired"]
    with pytest.raises(stripe.InvalidRequestError, match=r'status in \["open"\] can be expired'):
        client.v1.checkout.sessions.expire(session.id)


def test_a_completed_session_cannot_be_expired(client, paid_session):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.expire(paid_session.id)
    assert raised.value.http_status == 400


def test_sessions_expire_when_their_time_has_passed(standin, client):
    due = client.v1.checkout.sessions.create(params=session_params())
    later = client.v1.checkout.sessions.create(
        params=session_params(expires_at=int(time.time()) + 2 * 60 * 60)
    )

    assert standin.expire_due(now=due.expires_at) == [due.id]

    assert client.v1.checkout.sessions.retrieve(due.id).status == "expired"
    assert client.v1.checkout.sessions.retrieve(later.id).status == "open"


def test_retrieve_expires_a_session_whose_time_passed(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    standin.checkout_sessions[session.id]["expires_at"] = int(time.time()) - 1
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"


def test_background_tick_expires_sessions(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    standin.checkout_sessions[session.id]["expires_at"] = int(time.time()) - 1
    deadline = time.monotonic() + 3
    while standin.checkout_sessions[session.id]["status"] == "open":
        assert time.monotonic() < deadline, "the tick never expired the session"
        time.sleep(0.05)
    assert [e["type"] for e in standin.events.values()] == ["checkout.session.expired"]


# --- Refunds -----------------------------------------------------------------------------------


def test_partial_then_full_refund(standin, client, paid_session):
    payment_intent_id = paid_session.payment_intent
    charge_id = standin.payment_intents[payment_intent_id]["latest_charge"]

    partial = client.v1.refunds.create(
        params={
            "payment_intent": payment_intent_id,
            "amount": 10000,
            "reason": "requested_by_customer",
        }
    )
    charge = client.v1.charges.retrieve(charge_id)
    assert (partial.status, partial.amount, partial.charge) == ("succeeded", 10000, charge_id)
    assert (charge.amount_refunded, charge.refunded) == (10000, False)

    rest = client.v1.refunds.create(params={"payment_intent": payment_intent_id})
    charge = client.v1.charges.retrieve(charge_id)
    assert rest.amount == 35000
    assert (charge.amount_refunded, charge.refunded) == (45000, True)
    assert client.v1.refunds.retrieve(rest.id).payment_intent == payment_intent_id

    refund_events = [
        e for e in standin.events.values() if e["type"] in ("charge.refunded", "refund.created")
    ]
    assert [e["type"] for e in refund_events] == ["charge.refunded", "refund.created"] * 2
    assert refund_events[-2]["data"]["object"]["id"] == charge_id
    assert refund_events[-2]["data"]["object"]["amount_refunded"] == 45000

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create(params={"payment_intent": payment_intent_id})
    assert raised.value.code == "charge_already_refunded"


def test_refunding_more_than_was_paid_is_rejected(client, paid_session):
    with pytest.raises(stripe.InvalidRequestError, match=r"greater than charge amount") as raised:
        client.v1.refunds.create(
            params={"payment_intent": paid_session.payment_intent, "amount": 45001}
        )
    assert raised.value.param == "amount"


def test_refund_of_an_unpaid_payment_intent_is_rejected(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    standin.complete_async(session.id)
    payment_intent_id = standin.checkout_sessions[session.id]["payment_intent"]
    with pytest.raises(stripe.InvalidRequestError, match="does not have a successful charge"):
        client.v1.refunds.create(params={"payment_intent": payment_intent_id})


# --- Errors, outages, idempotency --------------------------------------------------------------


def test_unknown_id_raises_invalid_request_error(client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.retrieve("cs_test_missing")
    assert raised.value.http_status == 404
    assert raised.value.code == "resource_missing"
    assert "No such checkout.session: 'cs_test_missing'" in raised.value.user_message


def test_wrong_api_key_raises_authentication_error(standin):
    wrong = stripe.StripeClient(
        "sk_test_wrong_key_9999", base_addresses={"api": standin.url}, max_network_retries=0
    )
    with pytest.raises(
        stripe.AuthenticationError, match=r"Invalid API Key provided: sk_test_\*+9999"
    ):
        wrong.v1.checkout.sessions.create(params=session_params())
    assert standin.checkout_sessions == {}


def test_missing_api_key_is_refused(standin):
    status, _, text = raw_request(standin, "GET", "/v1/events")
    assert status == 401
    assert "You did not provide an API key" in json.loads(text)["error"]["message"]


def test_fail_next_answers_with_an_api_error_then_recovers(standin, client):
    standin.fail_next(1)
    with pytest.raises(stripe.APIError) as raised:
        client.v1.checkout.sessions.create(params=session_params())
    assert raised.value.http_status == 500
    assert standin.checkout_sessions == {}

    assert client.v1.checkout.sessions.create(params=session_params()).status == "open"


def test_fail_next_counts_the_librarys_own_retries(standin):
    # StripeClient makes no retries unless told to; an app that opts in must fail more calls.
    retrying = stripe.StripeClient(
        API_KEY, base_addresses={"api": standin.url}, max_network_retries=2
    )
    standin.fail_next(1, status=503)
    session = retrying.v1.checkout.sessions.create(params=session_params())
    assert list(standin.checkout_sessions) == [session.id]


def test_idempotent_replay_returns_the_same_session(standin, client):
    options = {"idempotency_key": "registration-42-attempt-1"}
    first = client.v1.checkout.sessions.create(params=session_params(), options=options)
    params = session_params(expires_at=first.expires_at)

    again = client.v1.checkout.sessions.create(params=params, options=options)

    assert again.id == first.id
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert list(standin.checkout_sessions) == [first.id]
    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        client.v1.checkout.sessions.create(
            params=session_params(customer_email="other@example.com"), options=options
        )


def test_events_can_be_listed_and_filtered(client, paid_session):
    listed = client.v1.events.list(params={"type": "checkout.session.completed"})
    assert [event.type for event in listed.data] == ["checkout.session.completed"]
    assert listed.data[0].data.object.id == paid_session.id
    everything = client.v1.events.list(params={"limit": 2})
    assert len(everything.data) == 2
    assert everything.has_more is True


# --- The hosted checkout page ------------------------------------------------------------------


def test_hosted_page_shows_the_order(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    status, headers, page = raw_request(standin, "GET", f"/pay/{session.id}")

    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in page
    assert "<main>" in page
    assert "<h1>" in page
    assert "Autumn Yoga Retreat" in page
    assert "CA$450.00" in page
    assert "asha@example.com" in page
    for field in ("card-number", "card-expiry", "card-cvc", "card-name"):
        assert f'<label for="{field}">' in page
        assert f'id="{field}"' in page
    assert "MM / YY" in page
    assert '<button type="submit">Pay</button>' in page
    assert '<a href="http://app.test/registrations/42/">← Back</a>' in page


def test_paying_with_the_success_card_redirects_to_the_success_url(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    status, headers, _ = raw_request(
        standin, "POST", f"/pay/{session.id}", card_form("4242 4242 4242 4242")
    )

    assert status == 303
    assert headers["Location"] == f"http://app.test/registrations/42/paid?session_id={session.id}"
    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert (paid.status, paid.payment_status) == ("complete", "paid")
    assert paid.customer_details.email == "asha@example.com"
    assert "checkout.session.completed" in [e["type"] for e in standin.events.values()]
    # Coming back to the page after paying goes straight to the success URL.
    status, headers, _ = raw_request(standin, "GET", f"/pay/{session.id}")
    assert (status, headers["Location"]) == (
        303,
        paid.success_url.replace("{CHECKOUT_SESSION_ID}", session.id),
    )


def test_declined_card_keeps_the_session_open_and_payable(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    status, _, page = raw_request(
        standin, "POST", f"/pay/{session.id}", card_form("4000 0000 0000 0002")
    )

    assert status == 402
    assert '<div class="alert" role="alert">Your card was declined.</div>' in page
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    assert standin.events == {}
    status, _, _ = raw_request(standin, "POST", f"/pay/{session.id}", card_form("4242424242424242"))
    assert status == 303


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (card_form("4111 1111 1111 1111"), "Your card number is invalid."),
        (card_form("4242424242424242", card_expiry="01 / 20"), "expiration year is in the past"),
        (card_form("4242424242424242", card_cvc="1"), "security code is incomplete"),
    ],
)
def test_invalid_card_details_are_explained(standin, client, form, message):
    session = client.v1.checkout.sessions.create(params=session_params())
    status, _, page = raw_request(standin, "POST", f"/pay/{session.id}", form)
    assert status == 400
    assert message in page
    assert standin.checkout_sessions[session.id]["status"] == "open"


def test_hosted_page_asks_for_the_email_when_the_app_did_not_give_one(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params(customer_email=None))

    _, _, page = raw_request(standin, "GET", f"/pay/{session.id}")
    assert '<label for="email">Email</label>' in page
    status, _, page = raw_request(
        standin, "POST", f"/pay/{session.id}", card_form("4242424242424242")
    )
    assert (status, "Your email address is incomplete." in page) == (400, True)
    form = card_form("4242424242424242", email="kai@example.com")
    status, _, _ = raw_request(standin, "POST", f"/pay/{session.id}", form)

    assert status == 303
    paid = client.v1.checkout.sessions.retrieve(session.id)
    assert paid.customer_details.email == "kai@example.com"


def test_expired_session_page_links_back(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    client.v1.checkout.sessions.expire(session.id)

    status, _, page = raw_request(standin, "GET", f"/pay/{session.id}")

    assert status == 410
    assert "This checkout session has expired." in page
    assert 'href="http://app.test/registrations/42/"' in page


def test_pay_control_refuses_declined_cards_and_closed_sessions(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    assert standin.pay(session.id, card="4000000000000002") is False
    assert standin.pay(session.id) is True
    assert standin.pay(session.id) is False


# --- Delayed (asynchronous) payment methods ----------------------------------------------------


def test_delayed_payment_that_succeeds(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    standin.complete_async(session.id)
    completed = client.v1.checkout.sessions.retrieve(session.id)
    assert (completed.status, completed.payment_status) == ("complete", "unpaid")

    standin.async_succeed(session.id)
    settled = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent"]}
    )
    assert settled.payment_status == "paid"
    assert settled.payment_intent.status == "succeeded"
    session_events = [
        e["type"] for e in standin.events.values() if e["type"].startswith("checkout")
    ]
    assert session_events == [
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
    ]


def test_delayed_payment_that_fails(standin, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    standin.complete_async(session.id)

    standin.async_fail(session.id)

    failed = client.v1.checkout.sessions.retrieve(session.id)
    assert (failed.status, failed.payment_status) == ("complete", "unpaid")
    assert list(standin.events.values())[-1]["type"] == "checkout.session.async_payment_failed"


# --- Webhooks ----------------------------------------------------------------------------------


def test_webhooks_are_signed_like_stripes(receiver):
    standin = standin_with_webhooks(receiver)
    try:
        client = stripe.StripeClient(API_KEY, base_addresses={"api": standin.url})
        session = client.v1.checkout.sessions.create(params=session_params())
        standin.pay(session.id)
        assert standin.wait_for_deliveries(timeout=5)
    finally:
        standin.stop()

    assert receiver.event_types() == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    for headers, body in receiver.requests:
        event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], WEBHOOK_SECRET)
        assert event.id in standin.events
    completed = json.loads(receiver.requests[-1][1])
    assert completed["data"]["object"]["id"] == session.id
    assert completed["data"]["object"]["payment_status"] == "paid"
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, headers["Stripe-Signature"], "whsec_other")


def test_a_failed_delivery_is_retried():
    receiver = Receiver(statuses=[500])
    standin = standin_with_webhooks(receiver)
    try:
        session = client_for(standin).v1.checkout.sessions.create(params=session_params())
        client_for(standin).v1.checkout.sessions.expire(session.id)
        assert standin.wait_for_deliveries(timeout=5)
    finally:
        standin.stop()
        receiver.close()

    event_id = next(iter(standin.events))
    assert standin.deliveries == [(event_id, 500), (event_id, 200)]
    assert receiver.event_types() == ["checkout.session.expired"] * 2
    assert standin.events[event_id]["pending_webhooks"] == 0


def test_delivery_gives_up_after_the_last_retry():
    receiver = Receiver(statuses=[500, 502, 503])
    standin = standin_with_webhooks(receiver)
    try:
        session = client_for(standin).v1.checkout.sessions.create(params=session_params())
        client_for(standin).v1.checkout.sessions.expire(session.id)
        assert standin.wait_for_deliveries(timeout=5)
    finally:
        standin.stop()
        receiver.close()

    event_id = next(iter(standin.events))
    assert standin.deliveries == [(event_id, 500), (event_id, 502), (event_id, 503)]
    assert standin.undelivered == [event_id]


def test_redeliver_sends_an_event_again_even_with_delivery_off(receiver):
    standin = standin_with_webhooks(receiver, deliver_webhooks=False)
    try:
        session = client_for(standin).v1.checkout.sessions.create(params=session_params())
        standin.pay(session.id)
        assert standin.wait_for_deliveries(timeout=5)
        assert receiver.requests == []

        completed = [
            e for e in standin.events.values() if e["type"] == "checkout.session.completed"
        ]
        standin.redeliver(completed[0]["id"])
        standin.redeliver(completed[0]["id"])
        assert standin.wait_for_deliveries(timeout=5)
    finally:
        standin.stop()

    delivered_ids = [json.loads(body)["id"] for _, body in receiver.requests]
    assert delivered_ids == [completed[0]["id"]] * 2


def client_for(standin):
    return stripe.StripeClient(API_KEY, base_addresses={"api": standin.url}, max_network_retries=0)


# --- Pieces ------------------------------------------------------------------------------------


def test_nested_form_keys_become_dicts_and_lists():
    parsed = parse_form(
        "line_items[0][price_data][currency]=cad&line_items[0][quantity]=1"
        "&line_items[1][quantity]=2&metadata[registration]=42&metadata[0]=zero"
        "&expand[]=payment_intent&expand[]=line_items&success_url=http%3A%2F%2Fx%2F%3Fs%3D%7BID%7D"
    )
    assert parsed == {
        "line_items": [{"price_data": {"currency": "cad"}, "quantity": "1"}, {"quantity": "2"}],
        "metadata": {"registration": "42", "0": "zero"},
        "expand": ["payment_intent", "line_items"],
        "success_url": "http://x/?s={ID}",
    }


def test_money_is_formatted_like_checkout():
    assert format_money(45000, "cad") == "CA$450.00"
    assert format_money(123456, "CAD") == "CA$1,234.56"


def test_command_line_serves_until_interrupted():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.stripe_standin", "--port", "0", "--api-key", API_KEY],
        cwd=Path(__file__).parents[2],
        env=environment,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", banner).group(0)
        client = stripe.StripeClient(API_KEY, base_addresses={"api": url})
        assert client.v1.checkout.sessions.create(params=session_params()).url.startswith(url)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0


def test_command_line_reads_the_environment(monkeypatch):
    monkeypatch.setenv("STRIPE_STANDIN_PORT", "12999")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_env")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_env")
    monkeypatch.setenv("STRIPE_STANDIN_WEBHOOK_URL", "http://127.0.0.1:8000/stripe/webhook/")

    from_env = parse_args([])
    flags_win = parse_args(["--port", "12111", "--api-key", "sk_test_flag"])

    assert (from_env.port, from_env.webhook_secret, from_env.api_key) == (
        12999,
        "whsec_env",
        "sk_test_env",
    )
    assert from_env.webhook_url == "http://127.0.0.1:8000/stripe/webhook/"
    assert (flags_win.port, flags_win.api_key) == (12111, "sk_test_flag")
