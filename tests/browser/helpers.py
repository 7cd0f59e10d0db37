"""What the journeys share: the scenes they start from and what people do on the pages.

Each journey module imports these; a new flow gets a module of its own beside
test_journeys.py and the same `site`, `visitor` and `look` fixtures (conftest.py).
"""

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from programs.models import Program
from registrations import services
from registrations.models import Registration

from ..factories import ProgramFactory, SessionFactory

SUCCEEDING_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
PASSWORD = "correct horse battery"  # UserFactory's


# Settings of the scene --------------------------------------------------------------------


def evening_program(*, first_day: date, weeks: int = 8, **fields) -> Program:
    """A published online program of weekly evenings, 7:00–9:30 pm ET, one $450 fee."""
    program = ProgramFactory(sessions=False, **fields)
    for week in range(weeks):
        starts_at = datetime.combine(
            first_day + timedelta(weeks=week), time(19), tzinfo=timezone.get_default_timezone()
        )
        SessionFactory(
            program=program,
            title=f"Week {week + 1}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2, minutes=30),
        )
    return program


def days_from_today(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def paid_registration(site, program: Program, *, name: str, email: str) -> Registration:
    """Registered and paid through the stand-in without a browser: the start of a journey."""
    registration = services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name=name, email=email, phone="", price_option=program.price_options.get(), answers={}
        ),
    )
    services.checkout_start(registration=registration)
    assert site.stripe.pay(registration.payments.get().checkout_session_id)
    site.wait_for_webhooks()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    return registration


# What people do on the pages --------------------------------------------------------------


def register(page: Page, *, name: str, email: str) -> None:
    """Fills in the form of a program with one fee and no questions, and goes to pay."""
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    agree_and_continue(page)


def accept_agreement(page: Page) -> None:
    page.get_by_label("I have read and accept the participant agreement above.").check()


def agree_and_continue(page: Page) -> None:
    accept_agreement(page)
    page.get_by_role("button", name="Continue to payment").click()


def pay_by_card(page: Page, card: str, *, name: str) -> None:
    """Fills in the stand-in's Stripe Checkout page and presses Pay."""
    expect(page).to_have_url(re.compile(r"/pay/cs_test_"))
    page.locator("#card-number").fill(card)
    page.locator("#card-expiry").fill("12 / 34")
    page.locator("#card-cvc").fill("123")
    page.locator("#card-name").fill(name)
    page.get_by_role("button", name="Pay").click()


def expect_registered(page: Page) -> str:
    """The confirmation page is showing; returns the registration's reference."""
    expect(page.get_by_role("heading", level=1)).to_have_text("You're registered")
    return re.search(r"OMW-[0-9A-Z]{5}", page.url).group(0)


def tab_to(page: Page, target, *, limit: int = 25) -> None:
    """Presses Tab from where the focus is until `target` has it, as a keyboard user would."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} not reached in {limit} presses of Tab")


def found_in(text: str, pattern: str) -> str:
    """The first group of `pattern` in an email's text, matched line by line."""
    return re.search(pattern, text, re.MULTILINE).group(1)


def calendar_of(content: bytes) -> dict:
    """The events of an .ics, by summary."""
    return {str(event["SUMMARY"]): event for event in Calendar.from_ical(content).walk("VEVENT")}
