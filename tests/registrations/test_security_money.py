"""Issue 9: money is accepted only for what the site asked for.

Fulfilment confirms a seat only from a Checkout Session the site opened for that
registration, for the amount due, in CAD; any other paid session naming a registration
is refunded in full, once, and shown to staff. A hold renewed after it lapsed asks again
for its price option and discount code, and a code's uses are one count everywhere.
"""

import json
import threading
from datetime import timedelta

import pytest
import stripe
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programs.models import PriceOption
from registrations import services
from registrations.models import DiscountCode, Payment, Refund, Registration

from ..factories import ProgramFactory
from ..helpers import deliver, form_data, register, url
from ..stripe_fixtures import API_KEY, events_of

pytestmark = pytest.mark.django_db


# --- Helpers ----------------------------------------------------------------------------------


def held(program, standin, email="ada@example.com", **overrides) -> Registration:
    """A registration holding a seat, with the checkout the site opened for it."""
    registration = register(program, email=email, **overrides)
    services.checkout_start(registration=registration)
    registration.refresh_from_db()
    return registration


def session_made_elsewhere(standin, **params) -> str:
    """A Checkout Session made on the account through Stripe's API, not by the site."""
    client = standin_client(standin)
    defaults = {
        "mode": "payment",
        "currency": "cad",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": params.pop("currency", "cad"),
                    "unit_amount": params.pop("amount", 45000),
                    "product_data": {"name": "A seat"},
                },
            }
        ],
        "success_url": "https://example.com/thanks",
    }
    defaults["currency"] = defaults["line_items"][0]["price_data"]["currency"]
    return client.v1.checkout.sessions.create(params={**defaults, **params}).id


def event_for(standin, session_id: str, event_type="checkout.session.completed") -> dict:
    (event,) = [
        e for e in events_of(standin, event_type) if e["data"]["object"]["id"] == session_id
    ]
    return event


def own_session(registration) -> str:
    """The session the site opened for the registration."""
    return registration.payments.exclude(status=Payment.Status.REFUSED).get().checkout_session_id


def standin_client(standin) -> stripe.StripeClient:
    return stripe.StripeClient(API_KEY, base_addresses={"api": standin.url})


def refunds_of(standin, session_id: str) -> list[int]:
    intent = standin.checkout_sessions[session_id]["payment_intent"]
    return [r["amount"] for r in standin.refunds.values() if r["payment_intent"] == intent]


def pay_url(registration) -> str:
    return reverse("registrations:pay", args=[registration.reference])


def paid_url(registration, session_id: str, token: str = "") -> str:
    """Stripe's success page; without the token, as one holding only the session id."""
    url = reverse("registrations:paid", args=[registration.reference])
    return f"{url}?session_id={session_id}" + (f"&token={token}" if token else "")


def assert_refused(registration, session_id: str, standin, amount: int) -> Payment:
    """The session's money is back with the payer, staff can see why, the seat is as it was."""
    payment = Payment.objects.get(checkout_session_id=session_id)
    assert payment.registration == registration
    assert payment.status == Payment.Status.REFUSED
    assert payment.amount_cents == payment.amount_refunded_cents == amount
    assert refunds_of(standin, session_id) == [amount]
    assert Refund.objects.filter(payment=payment).count() == 1
    assert registration.log.filter(action="payment refused").count() == 1
    return payment


# --- Fulfilment: only the session the site opened, for the amount due, in CAD -----------------


def test_security_payment_link_naming_a_registration_is_refunded_and_never_confirms(
    client, program, stripe_standin, mailoutbox
):
    registration = held(program, stripe_standin)
    hold = registration.hold_expires_at
    link = stripe_standin.open_payment_link(100, client_reference_id=registration.reference)
    assert link["payment_link"].startswith("plink_")
    assert stripe_standin.pay(link["id"])

    assert deliver(client, event_for(stripe_standin, link["id"])).status_code == 200

    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert registration.hold_expires_at == hold
    assert_refused(registration, link["id"], stripe_standin, 100)
    assert "Payment Link" in registration.log.get(action="payment refused").message
    assert not registration.emails.filter(kind="confirmation").exists()
    # The seat is still this person's, through the checkout the site opened for it.
    assert stripe_standin.pay(own_session(registration))
    deliver(client, event_for(stripe_standin, own_session(registration)))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_security_session_not_opened_by_the_site_is_refused_even_when_it_looks_right(
    client, program, stripe_standin, mailoutbox
):
    """Right reference, metadata, amount and currency, but no Payment row: not ours."""
    registration = register(program)
    session_id = session_made_elsewhere(
        stripe_standin,
        client_reference_id=registration.reference,
        metadata={"registration": registration.reference, "program": program.slug},
    )
    assert stripe_standin.pay(session_id)

    deliver(client, event_for(stripe_standin, session_id))

    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert_refused(registration, session_id, stripe_standin, 45000)
    assert not registration.emails.filter(kind="confirmation").exists()


@pytest.mark.parametrize(
    ("field", "edit", "paid"),
    [
        ("amount_total", 100, 100),
        ("currency", "usd", 45000),
        ("metadata", {"registration": "OMW-ZZZZZ", "program": "another-program"}, 45000),
        ("client_reference_id", None, 45000),
    ],
)
def test_security_edited_session_of_the_site_is_refused(
    client, program, stripe_standin, mailoutbox, field, edit, paid
):
    registration = held(program, stripe_standin)
    session_id = own_session(registration)
    stripe_standin.checkout_sessions[session_id][field] = edit
    assert stripe_standin.pay(session_id)

    deliver(client, event_for(stripe_standin, session_id))

    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert_refused(registration, session_id, stripe_standin, paid)


def test_security_payment_for_an_amount_no_longer_due_is_refused(
    client, program, stripe_standin, mailoutbox
):
    registration = held(program, stripe_standin)
    session_id = own_session(registration)
    Registration.objects.filter(pk=registration.pk).update(amount_due_cents=50000)
    assert stripe_standin.pay(session_id)

    deliver(client, event_for(stripe_standin, session_id))

    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert_refused(registration, session_id, stripe_standin, 45000)
    assert "$500 was due" in registration.log.get(action="payment refused").message
    # Back from Stripe, the person reads what happened and how to pay what is due.
    page = client.get(
        paid_url(registration, session_id, registration.access_token), follow=True
    ).content.decode()
    assert "We refunded this payment" in page and "$500 CAD" in page
    assert "Waiting for your payment to clear" not in page


def test_security_refused_payment_is_refunded_once_whatever_the_order(
    client, program, stripe_standin, mailoutbox
):
    registration = held(program, stripe_standin)
    link = stripe_standin.open_payment_link(45000, client_reference_id=registration.reference)
    stripe_standin.pay(link["id"])
    completed = event_for(stripe_standin, link["id"])
    # The success page first: the site never opened this session, so it is not theirs.
    assert client.get(paid_url(registration, link["id"])).status_code == 404
    assert not Payment.objects.filter(checkout_session_id=link["id"]).exists()
    # The event, a duplicate, and the same news under another event id.
    deliver(client, completed)
    deliver(client, completed)
    deliver(client, {**completed, "id": completed["id"] + "_again"})
    # After: the refused row names the registration, yet opens nothing to its payer.
    assert client.get(paid_url(registration, link["id"])).status_code == 404

    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert_refused(registration, link["id"], stripe_standin, 45000)


def test_security_crash_after_the_refund_leaves_one_refund(
    client, program, stripe_standin, mailoutbox
):
    """Stripe refunded, then our transaction was lost: the retry gets the same refund back."""
    registration = held(program, stripe_standin)
    link = stripe_standin.open_payment_link(45000, client_reference_id=registration.reference)
    stripe_standin.pay(link["id"])

    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():
        services.registration_fulfill(checkout_session_id=link["id"])
        assert refunds_of(stripe_standin, link["id"]) == [45000]
        raise Crash
    assert not Payment.objects.filter(checkout_session_id=link["id"]).exists()

    assert deliver(client, event_for(stripe_standin, link["id"])).status_code == 200
    for event in events_of(stripe_standin, "charge.refunded"):
        deliver(client, event)

    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert_refused(registration, link["id"], stripe_standin, 45000)


def test_security_refunding_a_refused_payment_keeps_the_confirmed_seat(
    client, program, stripe_standin, mailoutbox
):
    registration = held(program, stripe_standin)
    stripe_standin.pay(own_session(registration))
    deliver(client, event_for(stripe_standin, own_session(registration)))
    link = stripe_standin.open_payment_link(45000, client_reference_id=registration.reference)
    stripe_standin.pay(link["id"])

    deliver(client, event_for(stripe_standin, link["id"]))
    for event in events_of(stripe_standin, "charge.refunded"):
        assert deliver(client, event).status_code == 200

    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert services.paid_cents(registration=registration) == 45000
    assert_refused(registration, link["id"], stripe_standin, 45000)
    assert registration.emails.filter(kind="confirmation").count() == 1


def test_security_delayed_payment_of_a_foreign_session_does_not_keep_a_lapsed_hold(
    client, program, stripe_standin, mailoutbox
):
    registration = held(program, stripe_standin)
    link = stripe_standin.open_payment_link(45000, client_reference_id=registration.reference)
    stripe_standin.complete_async(link["id"])
    deliver(client, event_for(stripe_standin, link["id"]))
    assert not Payment.objects.filter(checkout_session_id=link["id"]).exists()

    with time_machine.travel(timezone.now() + timedelta(minutes=35), tick=False):
        assert services.holds_expire_stale() == 1
    registration.refresh_from_db()
    assert registration.status == Registration.Status.EXPIRED

    # When the bank's money does arrive, it goes straight back.
    stripe_standin.async_succeed(link["id"])
    succeeded = event_for(stripe_standin, link["id"], "checkout.session.async_payment_succeeded")
    deliver(client, succeeded)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.EXPIRED
    assert_refused(registration, link["id"], stripe_standin, 45000)


def test_security_expired_foreign_session_leaves_the_hold_alone(
    client, program, stripe_standin, mailoutbox
):
    registration = held(program, stripe_standin)
    hold = registration.hold_expires_at
    session_id = session_made_elsewhere(stripe_standin, client_reference_id=registration.reference)
    standin_client(stripe_standin).v1.checkout.sessions.expire(session_id)

    expired = event_for(stripe_standin, session_id, "checkout.session.expired")
    assert deliver(client, expired).status_code == 200

    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert registration.hold_expires_at == hold
    assert not Payment.objects.filter(checkout_session_id=session_id).exists()
    assert registration.payments.get().status == Payment.Status.OPEN
    assert not registration.log.filter(action="hold released").exists()


def test_security_refused_payment_is_shown_to_staff_with_its_refund(
    client, program, stripe_standin, staff_user, mailoutbox
):
    registration = held(program, stripe_standin)
    link = stripe_standin.open_payment_link(
        2500, currency="usd", client_reference_id=registration.reference
    )
    stripe_standin.pay(link["id"])
    deliver(client, event_for(stripe_standin, link["id"]))
    payment = Payment.objects.get(checkout_session_id=link["id"])

    client.force_login(staff_user)
    listing = client.get(
        reverse("admin:registrations_payment_changelist"), {"status": "refused"}
    ).content.decode()
    assert link["id"] in listing and "Refused and refunded" in listing and "25.00 USD" in listing
    detail = client.get(
        reverse("admin:registrations_payment_change", args=[payment.pk])
    ).content.decode()
    assert "Automatic full refund" in detail
    registration_page = client.get(
        reverse("admin:registrations_registration_change", args=[registration.pk])
    ).content.decode()
    assert link["id"] in registration_page
    assert "Refused and refunded" in registration_page
    assert "payment refused" in registration_page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_security_racing_webhooks_and_success_pages_refund_a_wrong_payment_once(
    stripe_standin, mailoutbox
):
    """The site's own session paid for the wrong amount: webhooks and success pages race."""
    program = ProgramFactory()
    registration = held(program, stripe_standin)
    session_id = own_session(registration)
    stripe_standin.checkout_sessions[session_id]["amount_total"] = 100
    stripe_standin.pay(session_id)
    completed = event_for(stripe_standin, session_id)
    ATTEMPTS = 8
    start = threading.Barrier(ATTEMPTS)
    statuses: list[tuple[str, int]] = []

    def attempt(n: int) -> None:
        browser = Client()
        try:
            start.wait()
            if n % 2:
                response = browser.get(paid_url(registration, session_id))
                statuses.append(("page", response.status_code))
            else:
                event = {**completed, "id": f"{completed['id']}_{n}"}
                statuses.append(("webhook", deliver(browser, event).status_code))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {s for kind, s in statuses if kind == "webhook"} == {200}, statuses
    # A page served once the payment was refused no longer counts the session as proof.
    assert {s for kind, s in statuses if kind == "page"} <= {200, 404}, statuses
    registration.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert_refused(registration, session_id, stripe_standin, 100)


# --- Renewing a lapsed hold: the price and the code are asked for again ----------------------


def lapse(registration) -> None:
    """The hold ran out (the expiry job has not been round yet)."""
    Registration.objects.filter(pk=registration.pk).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )


def continue_to_payment(client, registration):
    # The emailed link's token is traded for this browser's cookie on first use.
    client.get(registration.get_absolute_url(), {"token": registration.access_token})
    return client.post(pay_url(registration))


def uses_column(client, code: DiscountCode) -> str:
    page = client.get(reverse("admin:registrations_discountcode_changelist")).content.decode()
    row = page[page.index(f">{code.code}<") :]
    return row[row.index('class="field-uses_of_limit">') :].split(">", 1)[1].split("<", 1)[0]


def test_security_lapsed_early_bird_is_refused_with_what_to_do_next(
    client, stripe_standin, mailoutbox
):
    program = ProgramFactory()
    early = PriceOption.objects.create(
        program=program,
        label="Early bird",
        amount_cents=35000,
        available_until=timezone.now() + timedelta(minutes=10),
    )
    registration = held(program, stripe_standin, price_option=early)
    hold = registration.hold_expires_at
    sessions_before = set(stripe_standin.checkout_sessions)

    with time_machine.travel(timezone.now() + timedelta(minutes=40), tick=False):
        with pytest.raises(services.HoldRenewalRefused) as refusal:
            services.checkout_start(registration=registration)
        assert not isinstance(refusal.value, services.ProgramFull)
        response = continue_to_payment(client, registration)
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()

    assert "(Early bird) is no longer offered" in page
    assert "Please register again and choose one of the current prices." in page
    registration.refresh_from_db()
    assert registration.amount_due_cents == 35000
    assert registration.hold_expires_at == hold
    assert set(stripe_standin.checkout_sessions) == sessions_before
    assert not registration.log.filter(action="hold renewed").exists()


def test_security_lapsed_hold_pays_the_price_as_edited_and_the_old_checkout_dies(
    client, program, stripe_standin, mailoutbox
):
    registration = held(program, stripe_standin)
    old_session = own_session(registration)
    # Left checkout while Stripe could not be reached: the old page is still payable there.
    lapse(registration)
    Payment.objects.filter(pk=registration.payments.get().pk).update(status=Payment.Status.EXPIRED)
    assert stripe_standin.checkout_sessions[old_session]["status"] == "open"
    PriceOption.objects.filter(pk=registration.price_option_id).update(amount_cents=50000)

    response = continue_to_payment(client, registration)

    registration.refresh_from_db()
    new = registration.payments.exclude(checkout_session_id=old_session).get()
    assert response.status_code == 303 and response["Location"] == new.checkout_url
    assert registration.amount_due_cents == 50000 == new.amount_cents
    assert stripe_standin.checkout_sessions[new.checkout_session_id]["amount_total"] == 50000
    assert stripe_standin.checkout_sessions[old_session]["status"] == "expired"
    assert not stripe_standin.pay(old_session)
    assert "$450 before, $500 now" in registration.log.get(action="amount due changed").message
    assert stripe_standin.pay(new.checkout_session_id)
    deliver(client, event_for(stripe_standin, new.checkout_session_id))
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("used_up", "That discount code has been used up."),
        ("expired", "That discount code has expired."),
        ("switched_off", "That discount code is no longer valid."),
    ],
)
def test_security_lapsed_hold_cannot_keep_a_code_it_may_no_longer_use(
    client, program, stripe_standin, staff_user, mailoutbox, change, message
):
    code = DiscountCode.objects.create(code="ONCE", kind="percent", percent_off=20, max_uses=1)
    first = held(program, stripe_standin, email="first@example.com", discount_code="once")
    lapse(first)
    if change == "used_up":
        second = held(program, stripe_standin, email="second@example.com", discount_code="once")
        assert second.discount_code == code
    elif change == "expired":
        DiscountCode.objects.filter(pk=code.pk).update(valid_until=timezone.now())
    else:
        DiscountCode.objects.filter(pk=code.pk).update(active=False)

    response = continue_to_payment(client, first)

    page = client.get(response["Location"]).content.decode()
    assert message in page
    assert "We could not hold your seat again with it. Please register again" in page
    first.refresh_from_db()
    assert not first.hold_is_live()
    assert first.payments.count() == 1
    holding = Registration.objects.filter(discount_code=code).holding_seats()
    assert holding.count() == (1 if change == "used_up" else 0)
    client.force_login(staff_user)
    assert uses_column(client, code) == f"{holding.count()} of 1"


def test_security_discount_admin_counts_the_uses_the_limit_counts(
    client, program, stripe_standin, staff_user
):
    """A hold that lapsed (the expiry job not yet round) no longer uses its code."""
    code = DiscountCode.objects.create(code="ONCE", kind="fixed", amount_off_cents=5000, max_uses=1)
    first = held(program, stripe_standin, email="first@example.com", discount_code="ONCE")
    lapse(first)
    held(program, stripe_standin, email="second@example.com", discount_code="ONCE")
    with pytest.raises(services.DiscountCodeInvalid, match="used up"):
        register(program, email="third@example.com", discount_code="ONCE")

    client.force_login(staff_user)
    assert uses_column(client, code) == "1 of 1"
    assert DiscountCode.objects.with_uses().get(pk=code.pk).uses == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_security_a_one_use_code_is_never_held_twice_in_a_race(stripe_standin, staff_user):
    """The lapsed holder presses "Continue to payment" while others register with the code."""
    program = ProgramFactory(capacity=50)
    code = DiscountCode.objects.create(code="ONCE", kind="percent", percent_off=50, max_uses=1)
    first = held(program, stripe_standin, email="first@example.com", discount_code="ONCE")
    lapse(first)
    ATTEMPTS = 5
    start = threading.Barrier(ATTEMPTS)
    outcomes: list[tuple[str, int]] = []

    def attempt(n: int) -> None:
        browser = Client()
        try:
            start.wait()
            if n == 0:
                response = continue_to_payment(browser, first)
                outcomes.append(("renewal", response.status_code))
            else:
                data = form_data(program, email=f"racer{n}@example.com", discount_code="once")
                response = browser.post(url(program), data)
                outcomes.append(("new", response.status_code))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == ATTEMPTS
    holding = Registration.objects.filter(discount_code=code).holding_seats()
    assert holding.count() == 1, json.dumps(outcomes)
    assert [status for _, status in outcomes].count(303) == 1
    browser = Client()
    browser.force_login(staff_user)
    assert uses_column(browser, code) == "1 of 1"


def test_security_lapsed_hold_with_nothing_left_to_pay_confirms_without_checkout(
    client, program, stripe_standin, mailoutbox
):
    """Staff made the price free while the hold had lapsed: no Checkout for zero dollars."""
    registration = held(program, stripe_standin)
    lapse(registration)
    PriceOption.objects.filter(pk=registration.price_option_id).update(amount_cents=0)
    sessions_before = set(stripe_standin.checkout_sessions)

    response = continue_to_payment(client, registration)

    assert response.status_code == 303
    assert response["Location"].endswith(
        reverse("registrations:paid", args=[registration.reference])
    )
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.amount_due_cents == 0
    assert set(stripe_standin.checkout_sessions) == sessions_before
    assert registration.emails.filter(kind="confirmation").count() == 1
