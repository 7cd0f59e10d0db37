"""Sales tax as a person meets it: the program page, the form, Stripe Checkout, the
registration's record of what it charged, and the confirmation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from omwellness.models import Centre
from registrations import services

from ..factories import ProgramFactory
from ..helpers import register, url

pytestmark = pytest.mark.django_db


def test_tax_added_shows_plus_hst_on_the_program_page_and_the_form(client, hst):
    program = ProgramFactory()
    page = client.get(program.get_absolute_url()).content.decode()
    assert "$450 + HST" in page and "HST (13%) is added to these fees at checkout" in page
    form = client.get(url(program)).content.decode()
    assert "$450 + HST" in form


def test_tax_included_shows_hst_included(client, hst):
    hst.prices_include_tax = True
    hst.save()
    program = ProgramFactory(price_options=False)
    program.price_options.create(label="Standard", amount_cents=50850)
    page = client.get(program.get_absolute_url()).content.decode()
    assert "$508.50 (HST included)" in page and "Fees include HST (13%)" in page
    assert "$508.50 (HST included)" in client.get(url(program)).content.decode()


def test_tax_not_shown_when_unregistered_or_the_program_is_not_taxable(client, hst):
    untaxed = ProgramFactory(taxable=False)
    assert "HST" not in client.get(untaxed.get_absolute_url()).content.decode()
    hst.hst_registered = False
    hst.save()
    program = ProgramFactory()
    page = client.get(program.get_absolute_url()).content.decode()
    assert "$450" in page and "HST" not in page


def test_tax_is_stored_with_the_amount_due_and_kept_when_settings_change(hst):
    registration = register(ProgramFactory())
    assert (registration.amount_due_cents, registration.tax_cents) == (50850, 5850)
    hst.tax_rate_percent = Decimal("15")
    hst.save()
    registration.refresh_from_db()
    assert (registration.amount_due_cents, registration.tax_cents) == (50850, 5850)


def test_tax_follows_a_discount_code(hst):
    from registrations.models import DiscountCode

    program = ProgramFactory()
    DiscountCode.objects.create(code="HALF", kind="percent", percent_off=50, program=program)
    registration = register(program, discount_code="HALF")
    assert (registration.amount_due_cents, registration.tax_cents) == (25425, 2925)


def test_tax_is_a_line_of_its_own_on_stripe_checkout(hst, stripe_standin):
    registration = register(ProgramFactory(title="Winter Calm"))
    services.checkout_start(registration=registration)
    session_id = registration.payments.get().checkout_session_id
    items = stripe_standin.store.line_items[session_id]
    assert [(item["description"], item["amount_total"]) for item in items] == [
        ("Winter Calm (Standard)", 45000),
        ("HST 13%", 5850),
    ]
    assert registration.payments.get().amount_cents == 50850


def test_tax_free_checkout_keeps_one_line(stripe_standin):
    registration = register(ProgramFactory())
    services.checkout_start(registration=registration)
    items = stripe_standin.store.line_items[registration.payments.get().checkout_session_id]
    assert len(items) == 1 and items[0]["amount_total"] == 45000
    assert registration.tax_cents == 0


def test_tax_in_the_confirmation_email_with_the_receipt_link(hst, pay, mailoutbox):
    registration = pay(ProgramFactory())
    email = registration.emails.get(kind="confirmation")
    assert "Paid: $508.50 CAD (Standard), including $58.50 HST" in email.body_text
    receipt = registration.receipts.get()
    link = reverse("receipts:download", args=[registration.reference, receipt.number])
    assert f"Receipt {receipt.label} (PDF): " in email.body_text
    assert link in email.body_text and link in email.body_html
    # A person without an account opens it with the registration's token.
    assert f"?token={registration.access_token}" in email.body_text


def test_tax_centre_default_charges_none():
    assert Centre.current().hst_registered is False
