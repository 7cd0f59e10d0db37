"""Builders the test modules share: one home, so no test module imports another."""

import io
import json
import os
import re
import subprocess
import sys

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from devtools import prodlike
from devtools.stripe_standin import signature_header
from receipts.services import receipt_for_payment
from registrations import services
from registrations.models import Payment

from .stripe_fixtures import WEBHOOK_SECRET

# --- registering, through the service and through the form -----------------------------


def data_for(program, email="ada@example.com", **overrides):
    values = {
        "name": "Ada Example",
        "email": email,
        "phone": "",
        "price_option": program.price_options.first(),
        "answers": {},
    }
    values.update(overrides)
    return services.RegistrationInput(**values)


def register(program, email="ada@example.com", **overrides):
    return services.registration_create(program=program, data=data_for(program, email, **overrides))


def form_data(program, **overrides):
    data = {
        "name": "Ada Example",
        "email": "ada@example.com",
        "phone": "416-555-0123",
        "price_option": program.price_options.first().pk,
        "agree": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def url(program):
    return reverse("registrations:register", args=[program.slug])


def receipt_for(registration, amount_cents=45000):
    """A paid payment for `registration` with its numbered receipt, as fulfilment leaves
    them, for tests about who may see a receipt rather than how it came to be."""
    with transaction.atomic():
        payment = Payment.objects.create(
            registration=registration,
            checkout_session_id=f"cs_test_{registration.reference}",
            payment_intent_id=f"pi_test_{registration.reference}",
            amount_cents=amount_cents,
            status=Payment.Status.PAID,
            paid_at=timezone.now(),
        )
        return receipt_for_payment(payment=payment)


# --- Stripe's webhook ---------------------------------------------------------------------

WEBHOOK_URL = "/stripe/webhook/"


def deliver(client, event: dict, secret=WEBHOOK_SECRET):
    body = json.dumps(event)
    return client.post(
        WEBHOOK_URL,
        body,
        content_type="application/json",
        headers={"Stripe-Signature": signature_header(body, secret)},
    )


# --- production settings and the Procfile ---------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-0123456789-abcdefghijklmnop",
    "STRIPE_SECRET_KEY": "sk_live_example",
    "STRIPE_WEBHOOK_SECRET": "whsec_example",
    "DJANGO_ALLOWED_HOSTS": "register.omwellness.ca",
}


def run_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STRIPE_"))}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "omwellness.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


PROCFILE = prodlike.ROOT / "Procfile"


def procfile() -> dict[str, str]:
    lines = PROCFILE.read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def shell(command: str) -> list[str]:
    """A long-running Procfile line through a shell; exec, so a signal to stop reaches it."""
    return ["/bin/sh", "-c", "exec " + command]


def pdf_text(content: bytes) -> str:
    """The text a person would read in a PDF, extracted as a PDF reader does."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def without_csrf(html: str) -> str:
    """A page without its CSRF tokens, which differ at every rendering (every page has
    one: the header's language switch is a form)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
