"""Registration links: a token is traded for a cookie on first use and never shown again;
the access log keeps no query string; sign-up answers and costs the same either way."""

import os
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from devtools import prodlike
from omwellness.models import User
from registrations.access import MINE_COOKIE
from registrations.models import Registration, WaitlistEntry

from ..celery_processes import wait_until
from ..factories import RegistrationFactory, UserFactory, WaitlistEntryFactory
from ..helpers import form_data, procfile, shell, without_csrf

pytestmark = pytest.mark.django_db


def sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def pending_registration(**fields) -> Registration:
    return RegistrationFactory(
        status=Registration.Status.PENDING,
        hold_expires_at=timezone.now() + timedelta(minutes=20),
        confirmed_at=None,
        **fields,
    )


# --- The trade: token for cookie, then the clean address ---------------------------------


def test_security_an_emailed_link_trades_its_token_for_a_cookie_and_a_clean_address(client):
    registration = RegistrationFactory()
    address = registration.get_absolute_url()

    opened = client.get(address, {"token": registration.access_token})

    assert opened.status_code == 302
    assert opened["Location"] == address  # the token is gone from the address bar
    assert "no-store" in opened["Cache-Control"]
    cookie = opened.cookies[MINE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert registration.access_token not in cookie.value  # it names the registration only
    page = client.get(address)
    assert page.status_code == 200
    assert registration.reference in page.content.decode()
    assert registration.access_token not in page.content.decode()


@pytest.mark.parametrize("name", ["detail", "receipt", "calendar", "cancel", "paid"])
def test_security_every_registration_address_takes_the_token_once(client, name):
    registration = RegistrationFactory(amount_due_cents=0)  # free: a receipt with no payment
    address = reverse(f"registrations:{name}", args=[registration.reference])

    opened = client.get(address, {"token": registration.access_token, "utm_source": "email"})

    assert opened.status_code == 302
    assert opened["Location"] == f"{address}?utm_source=email"  # only the token is dropped
    assert client.get(address).status_code == 200


def test_security_the_checkout_cancel_link_is_traded_before_it_releases_the_seat(
    client, program, stripe_standin
):
    client.post(reverse("registrations:register", args=[program.slug]), form_data(program))
    registration = Registration.objects.get()
    (session,) = stripe_standin.checkout_sessions.values()
    cancel = urlsplit(session["cancel_url"])
    assert f"token={registration.access_token}" in cancel.query  # a link for any browser
    client.cookies.clear()  # back from Stripe in another browser, say

    opened = client.get(cancel.path, {"token": registration.access_token})
    registration.refresh_from_db()
    assert opened.status_code == 302 and opened["Location"] == cancel.path
    assert registration.status == Registration.Status.PENDING  # nothing done on the token hop

    back = client.get(opened["Location"])
    registration.refresh_from_db()
    assert back["Location"] == reverse("registrations:register", args=[program.slug])
    assert registration.status == Registration.Status.EXPIRED


def test_security_a_waitlist_leave_link_is_traded_for_the_cookie(client):
    entry = WaitlistEntryFactory()
    address = reverse("registrations:waitlist_leave", args=[entry.pk])

    opened = client.get(address, {"token": entry.token})
    assert opened.status_code == 302 and opened["Location"] == address
    page = client.get(address).content.decode()
    assert "Leave the waitlist" in page and entry.token not in page

    client.post(address)
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT


# --- What a token cannot do -------------------------------------------------------------


def test_security_a_wrong_token_changes_nothing(client, user, stripe_standin):
    registration = pending_registration()
    detail = registration.get_absolute_url()
    cancelled = reverse("registrations:checkout_cancelled", args=[registration.reference])
    entry = WaitlistEntryFactory()
    leave = reverse("registrations:waitlist_leave", args=[entry.pk])

    for address in (detail, leave):
        response = client.get(address, {"token": "not-the-token"})
        assert sign_in_redirect(response)
        assert MINE_COOKIE not in response.cookies
    assert client.get(cancelled, {"token": "not-the-token"}).status_code == 404
    other = RegistrationFactory()  # a real token, for another registration
    assert sign_in_redirect(client.get(detail, {"token": other.access_token}))
    client.force_login(user)
    assert client.get(detail, {"token": "not-the-token"}).status_code == 404

    registration.refresh_from_db()
    entry.refresh_from_db()
    assert registration.status == Registration.Status.PENDING
    assert entry.status == WaitlistEntry.Status.WAITING


def test_security_a_token_in_a_form_or_a_posted_address_opens_nothing(client):
    registration = RegistrationFactory(amount_due_cents=0)
    cancel = reverse("registrations:cancel", args=[registration.reference])

    in_body = client.post(cancel, {"token": registration.access_token})
    in_address = client.post(f"{cancel}?token={registration.access_token}")

    assert sign_in_redirect(in_body) and sign_in_redirect(in_address)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_security_pages_never_print_the_token(client, program, stripe_standin):
    """The payment pages used to carry the token in a hidden field, so a success page
    opened from its Stripe address alone showed the key to the registration."""
    stripe_standin.fail_next(3, status=500)
    unavailable = client.post(
        reverse("registrations:register", args=[program.slug]), form_data(program)
    )
    registration = Registration.objects.get()
    assert unavailable.status_code == 503
    assert registration.access_token not in unavailable.content.decode()

    client.post(reverse("registrations:pay", args=[registration.reference]))
    payment = registration.payments.get()
    client.cookies.clear()
    paid = client.get(
        reverse("registrations:paid", args=[registration.reference]),
        {"session_id": payment.checkout_session_id},
    )
    assert paid.status_code == 200
    assert "Waiting for your payment" in paid.content.decode()
    assert registration.access_token not in paid.content.decode()
    for name in ("detail", "cancel"):
        page = client.get(reverse(f"registrations:{name}", args=[registration.reference]))
        assert page.status_code == 200
        assert registration.access_token not in page.content.decode()


# --- One rule for who may act -----------------------------------------------------------


def test_security_the_browser_that_registered_and_the_owning_account_may_act_alike(
    client, program, stripe_standin
):
    client.post(reverse("registrations:register", args=[program.slug]), form_data(program))
    registration = Registration.objects.get()
    detail = registration.get_absolute_url()
    assert client.get(detail).status_code == 200  # the browser that made it

    client.cookies.clear()
    assert sign_in_redirect(client.get(detail))
    # An account that verified the address owns it, in the registration flow as well.
    owner = UserFactory(email=registration.email)
    client.force_login(owner)
    assert client.get(detail).status_code == 200
    continued = client.post(reverse("registrations:pay", args=[registration.reference]))
    assert continued.status_code == 303  # on to Stripe
    stranger = Client()  # another browser, signed in to another account
    stranger.force_login(UserFactory())
    assert stranger.get(detail).status_code == 404
    pay = reverse("registrations:pay", args=[registration.reference])
    assert stranger.post(pay).status_code == 404


# --- The access log ---------------------------------------------------------------------


@pytest.mark.production_stack
def test_security_the_web_access_log_keeps_no_query_string(tmp_path):
    """The Procfile's web line, run as production runs it: the log names the path, the
    status and the client, and nothing of what followed the `?`."""
    port = prodlike.free_port()
    env = prodlike.production_env(
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        PATH=f"{prodlike.BIN}:{os.environ['PATH']}",
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "web.log"
    with (
        log_path.open("w") as log,
        prodlike.process(
            shell(procfile()["web"]), env, ready_url=f"http://127.0.0.1:{port}/healthz/", log=log
        ),
    ):
        secret = "link-token-that-must-not-be-logged"
        response = requests.get(
            f"http://127.0.0.1:{port}/healthz/?token={secret}",
            headers={"X-Forwarded-For": "198.51.100.7"},
            timeout=10,
        )
        assert response.status_code == 200
        line = wait_until(
            lambda: next(
                (line for line in log_path.read_text().splitlines() if "198.51.100.7" in line),
                None,
            ),
            what="the access log line",
        )
    assert secret not in log_path.read_text()
    assert '"GET /healthz/" 200' in line


# --- Sign-up: the same answer and the same work ------------------------------------------


class CountingHasher(PBKDF2PasswordHasher):
    """Django's default hasher, counting the hashes it makes (few rounds, for speed)."""

    iterations = 1000
    made = 0

    def encode(self, password, salt, iterations=None):
        type(self).made += 1
        return super().encode(password, salt, iterations)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.made = 0
    return CountingHasher


def sign_up(client, email: str):
    password = "a calm long pass 2026"
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password},
    )


def test_security_sign_up_answers_a_taken_address_as_it_answers_a_new_one(
    client, mailoutbox, counting_hasher
):
    UserFactory(email="taken@example.com")
    mailoutbox.clear()

    new = sign_up(client, "new@example.com")
    new_page = client.get(new["Location"]).content.decode()
    client.logout()
    taken = sign_up(client, "taken@example.com")
    taken_page = client.get(taken["Location"]).content.decode()

    assert new.status_code == taken.status_code == 302
    assert new["Location"] == taken["Location"]
    assert "Confirmation email sent to taken@example.com" in taken_page
    # The same words, to the letter.
    assert without_csrf(taken_page.replace("taken@", "new@")) == without_csrf(new_page)
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1
    to = {message.to[0]: message for message in mailoutbox}
    assert set(to) == {"new@example.com", "taken@example.com"}
    # The owner of the taken address hears of the attempt; a stranger learns nothing.
    assert "already" in to["taken@example.com"].body.lower()


def test_security_sign_up_hashes_the_password_for_a_taken_address_too(
    client, mailoutbox, counting_hasher
):
    UserFactory(email="taken@example.com")
    counting_hasher.made = 0

    sign_up(client, "new@example.com")
    for_new = counting_hasher.made
    client.logout()
    counting_hasher.made = 0
    sign_up(client, "taken@example.com")
    for_taken = counting_hasher.made

    assert for_new == for_taken == 1
