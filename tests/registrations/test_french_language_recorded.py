"""A person's language, as they used the site, is kept on what they make, and Stripe
Checkout opens in it."""

import pytest
from django.test import RequestFactory

from mailing.models import Subscriber
from omwellness.accounts import AccountAdapter
from registrations.models import Registration, WaitlistEntry
from registrations.services import waitlist_join

from ..factories import ProgramFactory, RegistrationFactory
from ..helpers import form_data

pytestmark = pytest.mark.django_db


def test_french_registration_stores_french_and_opens_checkout_in_canadian_french(
    client, program, stripe_standin
):
    response = client.post(f"/fr/programs/{program.slug}/register/", form_data(program))
    assert response.status_code == 303
    registration = Registration.objects.get()
    assert registration.language == "fr"
    (session,) = stripe_standin.checkout_sessions.values()
    assert session["locale"] == "fr-CA"
    assert response["Location"] == session["url"]


def test_french_english_registration_keeps_english_checkout(client, program, stripe_standin):
    client.post(f"/programs/{program.slug}/register/", form_data(program))
    assert Registration.objects.get().language == "en"
    (session,) = stripe_standin.checkout_sessions.values()
    assert session["locale"] == "en"


def test_french_stand_in_refuses_a_locale_stripe_does_not_know(stripe_standin):
    import stripe

    from registrations import payments

    with pytest.raises(stripe.InvalidRequestError, match="Invalid locale: fr_CA"):
        payments.client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "locale": "fr_CA",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "cad",
                            "unit_amount": 100,
                            "product_data": {"name": "x"},
                        },
                    }
                ],
                "success_url": "https://example.com/",
            }
        )


def test_french_waitlist_entry_stores_french(client):
    program = ProgramFactory(capacity=1)
    RegistrationFactory(program=program)
    response = client.post(
        f"/fr/programs/{program.slug}/waitlist/", {"name": "Bea", "email": "bea@example.com"}
    )
    assert response.status_code == 200
    assert WaitlistEntry.objects.get().language == "fr"
    # The service's own default stays English.
    other = ProgramFactory(capacity=1)
    RegistrationFactory(program=other)
    assert waitlist_join(program=other, name="Cy", email="cy@example.com").language == "en"


def test_french_news_subscriber_stores_french_and_follows_the_latest_form(client):
    data = {"email": "reader@example.com", "name": "Léa", "consent": "on"}
    assert client.post("/fr/news/", data).status_code == 200
    assert Subscriber.objects.get().language == "fr"
    client.post("/news/", data)
    assert Subscriber.objects.get().language == "en"


def test_french_consent_on_a_french_registration_subscribes_in_french(
    client, program, stripe_standin
):
    client.post(f"/fr/programs/{program.slug}/register/", form_data(program, future_programs="on"))
    assert Subscriber.objects.get(email="ada@example.com").language == "fr"


def test_french_new_account_stores_the_language_it_was_made_in(rf: RequestFactory):
    from django.utils import translation

    request = rf.post("/fr/accounts/signup/")
    with translation.override("fr"):
        request.LANGUAGE_CODE = "fr"
        user = AccountAdapter().new_user(request)
    assert user.language == "fr"
