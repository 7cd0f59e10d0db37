"""The Stripe stand-in, wired to the app's settings for a test."""

import pytest

from devtools.stripe_standin import StripeStandin

API_KEY = "sk_test_suite"
WEBHOOK_SECRET = "whsec_suite"


@pytest.fixture
def stripe_standin(settings):
    """A stand-in the app talks to; webhooks are not sent (tests pass events in)."""
    standin = StripeStandin(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, deliver_webhooks=False)
    standin.start()
    settings.STRIPE_API_BASE = standin.url
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield standin
    standin.stop()


def events_of(standin, event_type: str) -> list[dict]:
    return [e for e in standin.events.values() if e["type"] == event_type]
