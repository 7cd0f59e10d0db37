"""What facilitators and staff meet: signing in lands them where their work is, the
signed-in header keeps to one line on a phone, the roster's answer cards open with a
visible marker, attendance opens on the day of a session, and the admin's program
screen and login page are tidy. Every page is checked with axe and photographed."""

import pytest
from playwright.sync_api import Page, expect

from ..factories import FacilitatorFactory, QuestionFactory, RegistrationFactory, UserFactory
from .conftest import SCREENSHOTS
from .helpers import PASSWORD, days_from_today, evening_program

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Mindful Self-Compassion: Winter"
NARROW_PHONE = {"width": 360, "height": 780}


def sign_in(page: Page, site, email: str) -> None:
    page.goto(site.url + "/accounts/login/")
    with_password = page.get_by_role("region", name="Or use your password")
    with_password.get_by_label("Email").fill(email)
    with_password.get_by_label("Password").fill(PASSWORD)
    with_password.get_by_role("button", name="Sign in").click()


def header_fits_one_line(page: Page, name: str) -> None:
    """At 360 px every item of the header sits on one row and nothing spills sideways."""
    page.set_viewport_size(NARROW_PHONE)
    (SCREENSHOTS / "xp-staff").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "xp-staff" / f"{name}-header-360.png")
    tops = page.locator(".site-header .brand, .site-header .nav > li").evaluate_all(
        "items => items.filter(i => i.offsetParent !== null)"
        ".map(i => Math.round(i.getBoundingClientRect().top + i.offsetHeight / 2))"
    )
    assert max(tops) - min(tops) <= 4, tops
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def doesnt_scroll_sideways(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    )


def test_experience_journey_facilitator_signs_in_to_the_roster_and_attendance(site, visitor, look):
    program = evening_program(first_day=days_from_today(-14), weeks=4, title=TITLE)
    teacher = UserFactory(email="teacher@example.com", name="Lead teacher")
    program.facilitators.add(FacilitatorFactory(name="Lead teacher (demo profile)", user=teacher))
    question = QuestionFactory(program=program, text="What brings you?", position=1)
    person = RegistrationFactory(
        program=program, name="Demo participant 1", phone="+1 416 555 0100"
    )
    person.answers.create(question=question, question_text=question.text, value="Rest")
    page = visitor(phone=True)

    sign_in(page, site, "teacher@example.com")
    expect(page).to_have_url(site.url + "/facilitate/")
    header_fits_one_line(page, "facilitator")
    look(page, "facilitate-after-sign-in")

    page.get_by_role("link", name=TITLE).click()
    card = page.locator("details.answers").first
    marker = card.locator("summary").evaluate("s => getComputedStyle(s, '::before').content")
    assert "▸" in marker
    card.locator("summary").click()
    expect(card.get_by_text("Rest")).to_be_visible()
    look(page, "roster-answer-open")

    page.get_by_role("link", name="Attendance").first.click()
    # Weeks 1 and 2 are past, week 3 is today: open. Week 4 is next week: shown, not linked.
    expect(page.get_by_text("Upcoming: marking opens on the day")).to_have_count(1)
    expect(page.locator("a.session-link")).to_have_count(3)
    look(page, "attendance-past-and-upcoming")
    page.locator("a.session-link").first.click()
    page.get_by_text("Present", exact=True).click()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".messages")).to_contain_text("Attendance saved for Week 1")


def test_experience_journey_staff_sign_in_to_the_admin(site, visitor, look):
    program = evening_program(first_day=days_from_today(30), title=TITLE)
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    teacher = UserFactory(email="teacher@example.com")
    program.facilitators.add(FacilitatorFactory(name="Lead teacher (demo profile)", user=teacher))
    page = visitor()

    page.goto(site.url + "/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign-in")
    look(page, "admin-login")

    sign_in(page, site, "staff@example.com")
    expect(page).to_have_url(site.url + "/admin/")
    page.goto(site.url + "/programs/")
    admin_link = page.locator(".site-header").get_by_role("link", name="Admin")
    expect(admin_link).to_be_visible()
    header_fits_one_line(page, "staff")
    look(page, "programs-with-admin-link")
    page.set_viewport_size({"width": 1280, "height": 900})
    admin_link.click()

    page.locator("#programs-program").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    doesnt_scroll_sideways(page)
    look(page, "admin-program")
