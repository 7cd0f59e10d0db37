"""Screening before payment in Chromium: a person applies, a facilitator approves in
/facilitate/, the person opens the emailed link and pays; and a declined application.
Every page on the way is checked with axe-core and photographed (`look`)."""

import re

import pytest
from playwright.sync_api import Page, expect

from registrations import services
from registrations.models import Registration

from ..factories import FacilitatorFactory, QuestionFactory, UserFactory
from .helpers import (
    PASSWORD,
    SUCCEEDING_CARD,
    accept_agreement,
    days_from_today,
    evening_program,
    pay_by_card,
)

pytestmark = pytest.mark.django_db(transaction=True)


def screened_program():
    teacher = UserFactory(email="teacher@example.com", name="Lead teacher")
    program = evening_program(
        first_day=days_from_today(21), title="Mindful Self-Compassion", requires_approval=True
    )
    program.facilitators.add(FacilitatorFactory(name="Lead teacher", user=teacher))
    QuestionFactory(program=program, text="What brings you to this program?", position=1)
    QuestionFactory(
        program=program,
        text="Any recent trauma or crisis we should know about?",
        sensitive=True,
        position=2,
    )
    return program


def sign_in_to_applications(page: Page, site, program) -> None:
    page.goto(site.url + "/accounts/login/")
    with_password = page.get_by_role("region", name="Or use your password")
    with_password.get_by_label("Email").fill("teacher@example.com")
    with_password.get_by_label("Password").fill(PASSWORD)
    with_password.get_by_role("button", name="Sign in").click()
    page.goto(site.url + f"/facilitate/{program.slug}/")
    expect(page.get_by_text("1 application waiting for a decision")).to_be_visible()
    page.get_by_role("link", name="Applications", exact=True).click()
    expect(page.get_by_role("heading", level=2, name="Applications")).to_be_visible()


def link_in(text: str) -> str:
    return re.search(r"^(http\S+/registrations/OMW-\S+)$", text, re.MULTILINE).group(1)


def test_journey_approval_apply_approve_pay(site, visitor, look):
    program = screened_program()
    applicant = visitor(phone=True)

    applicant.goto(site.url + program.get_absolute_url())
    look(applicant, "program-asks-for-an-application")
    applicant.get_by_role("link", name="Apply").click()
    expect(applicant.get_by_role("heading", name="asks for an application first")).to_be_visible()
    look(applicant, "application-form")
    applicant.get_by_label("Your name").fill("Demo participant 1")
    applicant.get_by_label("Email").fill("applicant@example.com")
    applicant.get_by_label("Phone (optional)").fill("416-555-0123")
    applicant.get_by_label("What brings you to this program?").fill("Kinder self-talk")
    applicant.get_by_label("Any recent trauma or crisis").fill("No")
    accept_agreement(applicant)
    applicant.get_by_role("button", name="Send my application").click()
    expect(applicant.get_by_role("heading", name="Your application")).to_be_visible()
    expect(applicant.get_by_text("What happens next")).to_be_visible()
    look(applicant, "application-sent")
    registration = Registration.objects.get(email="applicant@example.com")
    assert registration.status == Registration.Status.APPLIED
    assert not site.stripe.checkout_sessions
    site.inbox.wait_for(to="applicant@example.com", subject="We received your application")
    notice = site.inbox.wait_for(to="teacher@example.com", subject="New application")
    assert "Kinder self-talk" not in notice.text

    teacher = visitor()
    sign_in_to_applications(teacher, site, program)
    expect(teacher.get_by_text("Kinder self-talk")).to_be_visible()
    look(teacher, "applications")
    teacher.get_by_role("button", name="Approve Demo participant 1").click()
    expect(teacher.get_by_role("status")).to_contain_text("is approved: their seat is held until")
    look(teacher, "approved")

    approved = site.inbox.wait_for(to="applicant@example.com", subject="You're approved")
    payer = visitor()  # the link opened from the email, in another browser
    payer.goto(link_in(approved.text))
    expect(payer.get_by_role("heading", name="Finish paying to keep your seat")).to_be_visible()
    look(payer, "approved-registration")
    payer.get_by_role("button", name=re.compile("^Continue payment")).click()
    pay_by_card(payer, SUCCEEDING_CARD, name="Demo participant 1")
    expect(payer.get_by_role("heading", level=1)).to_have_text("You're registered")
    site.wait_for_webhooks()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    site.inbox.wait_for(to="applicant@example.com", subject="You're registered")
    payer.goto(site.url + registration.get_absolute_url())
    expect(payer.get_by_text("Paid and confirmed")).to_be_visible()
    look(payer, "confirmed-with-steps")


def test_journey_approval_decline_with_a_kind_message(site, visitor, look):
    program = screened_program()
    motive, health = program.questions.order_by("position")
    services.registration_create(
        program=program,
        data=services.RegistrationInput(
            name="Demo participant 2",
            email="declined@example.com",
            phone="",
            price_option=program.price_options.get(),
            answers={motive.pk: "Curious", health.pk: "A hard month"},
        ),
    )
    teacher = visitor()
    sign_in_to_applications(teacher, site, program)
    teacher.get_by_role("link", name="Decline Demo participant 2").click()
    look(teacher, "decline-confirm")
    teacher.get_by_label("A message to the applicant (optional)").fill(
        "Thank you for your openness. Please talk with your doctor, and apply again next term."
    )
    teacher.get_by_role("button", name="Decline and send").click()
    expect(teacher.get_by_role("status")).to_contain_text("is declined")
    expect(teacher.get_by_text("No application is waiting.")).to_be_visible()
    look(teacher, "declined")

    letter = site.inbox.wait_for(to="declined@example.com", subject="About your application")
    assert "Please talk with your doctor" in letter.text
    assert "Nothing has been charged" in letter.text
    person = visitor(phone=True)
    person.goto(link_in(letter.text))
    expect(person.get_by_text("Application declined").first).to_be_visible()
    look(person, "declined-registration")
    assert not site.stripe.checkout_sessions
