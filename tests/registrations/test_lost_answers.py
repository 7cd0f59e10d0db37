"""An answer lost on the way back: the form sent again is safe, and nobody is stuck.

The fault run of the production stack found people whose registration was made but whose
answer never reached them (a dropped connection, a killed web worker, a slow Stripe).
Sent again, the same form must give back the same registration, never a second hold nor
"already registered"; a new form from a browser that never got the answer is told,
as any stranger is, that an email went to the address, and the link in it leads on to
payment for the seat already held.
"""

import re

import pytest
import requests
from django.test import Client
from django.urls import reverse

from registrations.access import MINE_COOKIE
from registrations.models import Payment, Registration

from ..factories import ProgramFactory
from ..forwarding_proxy import ForwardingProxy
from ..helpers import form_data
from ..stripe_fixtures import API_KEY, WEBHOOK_SECRET

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

KEY_FIELD = re.compile(r'name="submission_key" value="([^"]+)"')


def drawn_form(browser: Client, program) -> dict:
    """Opens the form as a browser does: its CSRF cookie is set and its key is read."""
    page = browser.get(reverse("registrations:register", args=[program.slug]))
    assert page.status_code == 200
    (key,) = KEY_FIELD.findall(page.content.decode())
    return {"submission_key": key}


def submit(browser: Client, program, data: dict):
    return browser.post(reverse("registrations:register", args=[program.slug]), data)


def lose_the_answer(browser: Client) -> None:
    """What a browser keeps of an answer that never reached it: nothing (no cookie)."""
    browser.cookies.pop(MINE_COOKIE, None)


def test_structure_the_same_submission_twice_makes_one_registration_and_one_checkout(
    program, stripe_standin, mailoutbox
):
    browser = Client()
    data = {**form_data(program), **drawn_form(browser, program)}

    first = submit(browser, program, data)
    assert first.status_code == 303
    lose_the_answer(browser)
    again = submit(browser, program, data)

    assert again.status_code == 303
    assert again["Location"] == first["Location"]  # the same Checkout Session
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.PENDING and registration.hold_is_live()
    assert Payment.objects.count() == 1 and len(stripe_standin.checkout_sessions) == 1
    assert mailoutbox == []  # no "you already have a registration" for a replay
    # The second answer reached the browser: it may now act on its registration.
    page = browser.get(reverse("registrations:detail", args=[registration.reference]))
    assert page.status_code == 200 and registration.reference in page.content.decode()


def test_structure_a_submission_sent_again_after_paying_leads_to_its_confirmation(
    program, stripe_standin
):
    browser = Client()
    data = {**form_data(program), **drawn_form(browser, program)}
    submit(browser, program, data)
    registration = Registration.objects.get()
    registration.status = Registration.Status.CONFIRMED
    registration.save(update_fields=["status"])
    lose_the_answer(browser)

    again = submit(browser, program, data)

    assert again.status_code == 302
    assert again["Location"] == reverse("registrations:paid", args=[registration.reference])
    assert Registration.objects.count() == 1


def test_structure_a_free_place_submitted_twice_is_confirmed_once(
    program, mailoutbox, django_capture_on_commit_callbacks
):
    price = program.price_options.first()
    price.amount_cents = 0
    price.save(update_fields=["amount_cents"])
    browser = Client()
    data = {**form_data(program), **drawn_form(browser, program)}

    with django_capture_on_commit_callbacks(execute=True):
        first = submit(browser, program, data)
        lose_the_answer(browser)
        again = submit(browser, program, data)

    assert first["Location"] == again["Location"]
    assert Registration.objects.get().status == Registration.Status.CONFIRMED
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]  # one confirmation


def test_structure_someone_elses_key_learns_nothing(
    program, stripe_standin, mailoutbox, django_capture_on_commit_callbacks
):
    """Another browser posting the first person's key (and address) gets the answer any
    stranger gets: an email went to the address. No reference, no Checkout, no cookie."""
    owner = Client()
    key = drawn_form(owner, program)
    submit(owner, program, {**form_data(program), **key})
    registration = Registration.objects.get()
    stranger = Client()
    drawn_form(stranger, program)  # the stranger's own CSRF cookie
    without_key = Client()
    drawn_form(without_key, program)

    with django_capture_on_commit_callbacks(execute=True):
        copied = submit(stranger, program, {**form_data(program), **key})
        plain = submit(without_key, program, form_data(program))

    assert copied.status_code == plain.status_code == 200
    text = copied.content.decode()
    assert "Check your email" in text and registration.reference not in text
    assert strip_csrf(text) == strip_csrf(plain.content.decode())
    assert MINE_COOKIE not in copied.cookies
    assert Registration.objects.count() == 1 and Payment.objects.count() == 1
    # The owner's way back, once (at most one a minute).
    assert [(m.to, registration.reference in m.subject) for m in mailoutbox] == [
        (["ada@example.com"], True)
    ]


def test_structure_someone_elses_key_with_another_address_is_a_new_registration(
    program, stripe_standin
):
    owner = Client()
    key = drawn_form(owner, program)
    submit(owner, program, {**form_data(program), **key})
    stranger = Client()
    drawn_form(stranger, program)

    theirs = submit(stranger, program, {**form_data(program, email="grace@example.com"), **key})

    assert theirs.status_code == 303
    assert Registration.objects.filter(email="grace@example.com").count() == 1
    assert Registration.objects.count() == 2


def test_structure_a_key_we_did_not_make_is_ignored(program, stripe_standin):
    browser = Client()
    drawn_form(browser, program)

    response = submit(browser, program, {**form_data(program), "submission_key": "x" * 64})

    assert response.status_code == 303
    assert Registration.objects.get().submission_key is None


def test_structure_a_signed_in_person_whose_answer_was_lost_carries_on_from_a_new_form(
    program, stripe_standin, user
):
    """Signed in, the account says whose registration it is: a new form (a new key) sent
    after the answer was lost shows the registration and leads on to its payment."""
    browser = Client()
    browser.force_login(user)
    data = form_data(program, email=user.email)
    first = submit(browser, program, {**data, **drawn_form(browser, program)})
    registration = Registration.objects.get()
    lose_the_answer(browser)

    again = submit(browser, program, {**data, **drawn_form(browser, program)})

    text = again.content.decode()
    assert again.status_code == 422
    assert "You already have a registration" in text and registration.reference in text
    assert "Continue to payment" in text
    pay = browser.post(reverse("registrations:pay", args=[registration.reference]))
    assert pay.status_code == 303 and pay["Location"] == first["Location"]
    assert Registration.objects.count() == 1 and Payment.objects.count() == 1


def strip_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


# --- Over HTTP: the answer to the POST never arrives -------------------------------------


class LosesTheFirstRegistration(ForwardingProxy):
    """Between the browser and the site: the site makes the registration, and the
    browser hears nothing back (its connection is cut), as when a web worker dies."""

    def __init__(self, upstream_url: str):
        super().__init__(upstream_url)
        self.lost: list[str] = []

    def drop_answer(self, handler) -> bool:
        if handler.command == "POST" and handler.path.endswith("/register/") and not self.lost:
            self.lost.append(handler.path)
            return True
        return False


@pytest.fixture
def live_site(live_server, settings, stripe_standin):
    settings.SITE_URL = live_server.url
    settings.STRIPE_API_BASE = stripe_standin.url
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return live_server


@pytest.mark.django_db(transaction=True)
def test_structure_a_lost_answer_and_a_new_form_lead_on_to_payment_by_the_email(
    live_site, stripe_standin, mailoutbox
):
    """The fault run's situation: the hold is made, the answer lost, so the browser has
    no cookie; it opens the form again (a new key) and sends it. It is told that an
    email went to the address, never "already registered"; the email's link lets it
    carry on to payment for the seat it holds, on the same Checkout Session."""
    program = ProgramFactory(title="Winter Calm")
    with LosesTheFirstRegistration(live_site.url) as proxy:
        browser = requests.Session()
        form_url = f"{proxy.url}/programs/{program.slug}/register/"

        def send_a_new_form():
            page = browser.get(form_url)
            (key,) = KEY_FIELD.findall(page.text)
            data = {"csrfmiddlewaretoken": browser.cookies["csrftoken"], "submission_key": key}
            return browser.post(
                form_url, data={**data, **form_data(program)}, allow_redirects=False
            )

        with pytest.raises(requests.ConnectionError):
            send_a_new_form()
        assert proxy.lost
        registration = Registration.objects.get()
        assert registration.hold_is_live() and MINE_COOKIE not in browser.cookies
        (checkout,) = stripe_standin.checkout_sessions.values()

        again = send_a_new_form()

        assert again.status_code == 200
        assert "Check your email" in again.text
        assert "already has a registration" not in again.text
        (letter,) = mailoutbox
        assert registration.reference in letter.subject
        link = re.search(r"http://\S+\?token=\S+", letter.body).group(0)
        link = link.replace(live_site.url, proxy.url)
        detail = browser.get(link)
        assert detail.status_code == 200 and registration.reference in detail.text
        pay = browser.post(
            f"{proxy.url}/registrations/{registration.reference}/pay/",
            data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            allow_redirects=False,
        )

    assert pay.status_code == 303 and pay.headers["Location"] == checkout["url"]
    assert Registration.objects.count() == 1 and len(stripe_standin.checkout_sessions) == 1
