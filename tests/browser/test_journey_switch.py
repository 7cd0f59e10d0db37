"""Switching terms in Chromium: a confirmed participant moves to the next term from
"My registrations", once at the same fee and once paying the difference at Checkout.
Every page on the way is checked with axe-core and photographed (`look`)."""

import re

import pytest
from playwright.sync_api import expect

from programs.models import Program
from registrations.models import Registration, Switch

from ..factories import UserFactory
from .helpers import (
    PASSWORD,
    SUCCEEDING_CARD,
    days_from_today,
    evening_program,
    paid_registration,
    pay_by_card,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_journey_switch_to_the_next_term_same_fee_then_paying_the_difference(site, visitor, look):
    autumn = evening_program(first_day=days_from_today(30), title="MSC Autumn", slug="msc-autumn")
    winter = evening_program(first_day=days_from_today(90), title="MSC Winter", slug="msc-winter")
    spring = evening_program(first_day=days_from_today(180), title="MSC Spring", slug="msc-spring")
    spring.price_options.update(amount_cents=50000)
    Program.objects.filter(pk=autumn.pk).update(next_term=winter)
    Program.objects.filter(pk=winter.pk).update(next_term=spring)
    person = UserFactory(email="ada@example.com", name="Ada Example")
    registration = paid_registration(site, autumn, name="Ada Example", email=person.email)
    site.inbox.clear()
    page = visitor(phone=True)

    page.goto(site.url + "/accounts/login/")
    with_password = page.get_by_role("region", name="Or use your password")
    with_password.get_by_label("Email").fill(person.email)
    with_password.get_by_label("Password").fill(PASSWORD)
    with_password.get_by_role("button", name="Sign in").click()
    page.goto(site.url + "/registrations/")
    look(page, "my-registrations")

    # Same fee: the page says what changes, and one press moves the registration.
    page.get_by_role("link", name="Switch to MSC Winter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Switch to MSC Winter")
    expect(page.get_by_text("None: the same fee")).to_be_visible()
    look(page, "switch-same-fee")
    page.get_by_role("button", name="Switch to MSC Winter").click()

    expect(page.get_by_text("You have moved to MSC Winter.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("MSC Winter")
    look(page, "moved-same-fee")
    registration.refresh_from_db()
    assert registration.program == winter
    confirmation = site.inbox.wait_for(to=person.email, subject="You're registered: MSC Winter")
    assert "msc-winter.ics" in confirmation.attachments

    # Dearer: the difference is paid at Checkout, and only then does the registration move.
    page.get_by_role("link", name="Switch to MSC Spring").click()
    expect(page.get_by_text("You pay $50 more, by card")).to_be_visible()
    look(page, "switch-dearer")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page).to_have_url(re.compile(r"/pay/cs_test_"))
    registration.refresh_from_db()
    assert registration.program == winter
    pay_by_card(page, SUCCEEDING_CARD, name="Ada Example")

    expect(page.get_by_text("You have moved to MSC Spring.")).to_be_visible()
    look(page, "moved-paying-the-difference")
    site.wait_for_webhooks()
    registration = Registration.objects.get(pk=registration.pk)
    assert registration.program == spring
    assert registration.amount_paid.net_cents == registration.amount_due_cents == 50000
    assert list(Switch.objects.values_list("status", flat=True)) == ["completed", "completed"]
    site.inbox.wait_for(to=person.email, subject="You're registered: MSC Spring")
