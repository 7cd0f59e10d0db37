"""Program page → form → stand-in checkout → signed webhook → confirmed, over real HTTP."""

import re

import pytest
import requests

from devtools.stripe_standin import StripeStandin
from registrations.models import Registration, StripeEvent

from ..factories import ProgramFactory
from ..stripe_fixtures import API_KEY, WEBHOOK_SECRET


@pytest.fixture
def live_standin(live_server, settings):
    standin = StripeStandin(
        api_key=API_KEY,
        webhook_secret=WEBHOOK_SECRET,
        webhook_url=live_server.url + "/stripe/webhook/",
        retry_delays=(0.05, 0.1, 0.2),
    )
    standin.start()
    settings.STRIPE_API_BASE = standin.url
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.SITE_URL = live_server.url
    yield standin
    standin.stop()


@pytest.mark.django_db(transaction=True)
def test_a_person_registers_and_pays_over_http(live_server, live_standin):
    program = ProgramFactory(title="Winter Calm")
    browser = requests.Session()

    page = browser.get(f"{live_server.url}/programs/{program.slug}/")
    assert page.status_code == 200 and "Register</a>" in page.text
    form_url = f"{live_server.url}/programs/{program.slug}/register/"
    browser.get(form_url)
    response = browser.post(
        form_url,
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "name": "Ada Example",
            "email": "ada@example.com",
            "price_option": program.price_options.first().pk,
            "agree": "on",
        },
        headers={"Referer": form_url},
        allow_redirects=False,
    )
    assert response.status_code == 303
    checkout_url = response.headers["Location"]
    assert checkout_url.startswith(live_standin.url + "/pay/cs_test_")

    checkout = browser.get(checkout_url)
    assert "CA$450.00" in checkout.text
    declined = browser.post(
        checkout_url,
        data={
            "card_number": "4000 0000 0000 0002",
            "card_expiry": "12 / 34",
            "card_cvc": "123",
            "card_name": "Ada",
        },
        allow_redirects=False,
    )
    assert declined.status_code == 402 and "declined" in declined.text
    paid = browser.post(
        checkout_url,
        data={
            "card_number": "4242 4242 4242 4242",
            "card_expiry": "12 / 34",
            "card_cvc": "123",
            "card_name": "Ada",
        },
    )
    assert paid.url.startswith(f"{live_server.url}/registrations/OMW-")
    assert "You're registered" in paid.text
    reference = re.search(r"OMW-[0-9A-Z]{5}", paid.url).group(0)

    assert live_standin.wait_for_deliveries(timeout=10)
    registration = Registration.objects.get(reference=reference)
    assert registration.status == Registration.Status.CONFIRMED
    event = StripeEvent.objects.get(type="checkout.session.completed")
    assert event.processed_at is not None
    # Every event got through (a busy SQLite may answer 503 first; Stripe then retries).
    assert not live_standin.undelivered
    delivered = {event_id for event_id, status in live_standin.deliveries if status == 200}
    assert delivered == set(live_standin.events)
