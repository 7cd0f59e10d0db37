import pytest

from omwellness.models import Centre
from registrations import services

from ..helpers import register
from ..stripe_fixtures import events_of

BUSINESS_NUMBER = "123456789 RT0001"


@pytest.fixture
def hst(db):
    """The centre registered for HST at 13%, tax added to the prices shown."""
    centre = Centre.current()
    centre.hst_registered = True
    centre.business_number = BUSINESS_NUMBER
    centre.legal_name = "omwellness Centre Inc."
    centre.save()
    return centre


@pytest.fixture
def pay(stripe_standin):
    """Registers `email` for `program`, pays on the stand-in and processes Stripe's events."""

    def paying(program, email="ada@example.com", **overrides):
        registration = register(program, email=email, **overrides)
        services.checkout_start(registration=registration)
        stripe_standin.pay(registration.payments.get().checkout_session_id)
        for event in events_of(stripe_standin, "checkout.session.completed"):
            services.stripe_event_process(event=event)
        registration.refresh_from_db()
        return registration

    return paying
