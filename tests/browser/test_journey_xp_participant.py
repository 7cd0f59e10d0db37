"""What a participant meets, on a phone and a desktop: a program page that says only
what is true of it, a declined card that keeps their answers, the start time on the
confirmation, and their place in a waitlist's line."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from programs.models import PriceOption
from registrations.models import WaitlistEntry

from ..factories import FacilitatorFactory, UserFactory, WaitlistEntryFactory
from .helpers import (
    DECLINED_CARD,
    PASSWORD,
    SUCCEEDING_CARD,
    days_from_today,
    evening_program,
    expect_registered,
    pay_by_card,
    register,
)

pytestmark = pytest.mark.django_db(transaction=True)

NEWS_BOX = 'input[name="future_programs"]'
AGREEMENT_BOX = 'input[name="agree"]'


def test_experience_participant_from_program_page_to_the_waitlist_line(site, visitor, look):
    user = UserFactory(email="participant@example.com", name="Demo participant 1")
    program = evening_program(
        first_day=days_from_today(21), title="Mindful Self-Compassion", description="", weeks=6
    )
    moved = program.sessions.get(title="Week 2")
    moved.starts_at += timedelta(days=1)
    moved.ends_at += timedelta(days=1)
    moved.save()
    co = FacilitatorFactory(name="Co-teacher", position=2)
    lead = FacilitatorFactory(name="Lead teacher", position=1)
    program.facilitators.add(co, lead)
    full = evening_program(first_day=days_from_today(60), title="Loving Kindness", capacity=1)
    PriceOption.objects.create(program=full, label="Supported", amount_cents=30000)
    for _ in range(2):
        WaitlistEntryFactory(program=full)
    WaitlistEntryFactory(program=full, email=user.email, name=user.name)
    phone = visitor(phone=True)

    # The program page: no empty About, no sliding scale for one fee, the moved week named.
    phone.goto(site.url + program.get_absolute_url())
    when = phone.locator(".facts div", has_text="When")
    expect(when).to_contain_text("except Week 2 on Thu")
    expect(phone.get_by_role("heading", name="About the program")).to_have_count(0)
    expect(phone.get_by_text("sliding scale")).to_have_count(0)
    expect(phone.locator(".person h3")).to_have_text(["Lead teacher", "Co-teacher"])
    # Stacked on a phone: a session's date and time sit on one line under its title.
    row = phone.locator(".schedule tbody tr").first
    date_box = row.locator("td").first.bounding_box()
    time_box = row.locator("td").nth(1).bounding_box()
    assert abs(date_box["y"] - time_box["y"]) < 5
    assert row.bounding_box()["width"] <= 390
    look(phone, "program-one-fee")

    # A declined card, then Back: a warning, and the two boxes as they were ticked.
    phone.get_by_role("link", name="Register").click()
    expect(phone.get_by_text("sliding scale")).to_have_count(0)
    phone.locator(NEWS_BOX).check()
    register(phone, name="Demo participant 1", email=user.email)
    pay_by_card(phone, DECLINED_CARD, name="Demo participant 1")
    expect(phone.get_by_role("alert")).to_have_text("Your card was declined.")
    phone.get_by_role("link", name="Back").click()
    warning = phone.locator(".message--warning")
    expect(warning).to_contain_text("card was declined")
    expect(warning).to_contain_text("nothing was charged")
    expect(phone.locator(AGREEMENT_BOX)).to_be_checked()
    expect(phone.locator(NEWS_BOX)).to_be_checked()
    look(phone, "back-from-a-declined-card")

    # Paying now: the confirmation gives the first evening with its time.
    phone.get_by_role("button", name="Continue to payment").click()
    pay_by_card(phone, SUCCEEDING_CARD, name="Demo participant 1")
    expect_registered(phone)
    expect(phone.locator(".facts div", has_text="Starts")).to_contain_text("7:00–9:30 pm ET")
    look(phone, "confirmation-with-time")

    # My registrations, on a desktop: the registration, and third in the waitlist's line.
    desktop = visitor()
    desktop.goto(site.url + "/accounts/login/")
    with_password = desktop.get_by_role("region", name="Or use your password")
    with_password.get_by_label("Email").fill(user.email)
    with_password.get_by_label("Password").fill(PASSWORD)
    with_password.get_by_role("button", name="Sign in").click()
    expect(desktop.get_by_role("button", name="Sign out")).to_be_visible()
    desktop.goto(site.url + "/registrations/")
    waiting = desktop.locator(".card", has_text="Loving Kindness")
    expect(waiting).to_contain_text("3rd in line")
    upcoming = desktop.get_by_role("region", name="Upcoming")
    card = upcoming.locator(".registration-card", has_text=program.title)
    assert card.bounding_box()["width"] > 600  # the row, not a third of it
    look(desktop, "my-registrations-place-in-line")
    assert WaitlistEntry.objects.filter(email=user.email).get().status == "waiting"
