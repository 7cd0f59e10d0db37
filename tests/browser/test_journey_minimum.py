"""A program that needs a minimum: its page says so, staff cancel it from the admin, and
the participant is refunded in full and offered the next term."""

import pytest
from playwright.sync_api import expect

from programs.models import Program
from registrations import tasks
from registrations.models import Registration

from ..celery_processes import wait_until
from ..factories import UserFactory
from .helpers import PASSWORD, days_from_today, evening_program, found_in, paid_registration

pytestmark = pytest.mark.django_db(transaction=True)


def test_journey_minimum_not_reached_staff_cancel_and_the_participant_is_refunded(
    site, visitor, look
):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    UserFactory(email="participant@example.com", name="Demo participant 1")
    next_term = evening_program(
        first_day=days_from_today(120), title="Mindful Self-Compassion: Spring"
    )
    program = evening_program(
        first_day=days_from_today(21),
        title="Mindful Self-Compassion: Winter",
        minimum_participants=6,
        minimum_decision_date=days_from_today(7),
        next_term=next_term,
    )
    registration = paid_registration(
        site, program, name="Demo participant 1", email="participant@example.com"
    )
    participant, staff = visitor(phone=True), visitor()

    participant.goto(site.url + program.get_absolute_url())
    expect(participant.locator(".minimum")).to_contain_text(
        "This program runs once 6 people have registered."
    )
    look(participant, "program-with-minimum")

    staff.goto(site.url + "/admin/")
    staff.get_by_label("Email address").fill("staff@example.com")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.locator("#programs-program").get_by_role("link", name="Programs").click()
    staff.get_by_role("link", name=program.title, exact=True).click()
    expect(staff.locator(".field-minimum_status")).to_contain_text("1 of the minimum 6 registered")
    look(staff, "admin-program-with-minimum")
    staff.get_by_role("link", name="Cancel this program").click()
    expect(staff.locator("#content")).to_contain_text("1 confirmed participant is refunded in full")
    look(staff, "admin-cancel-program")
    staff.get_by_role("button", name="Cancel the program and refund everyone").click()
    expect(staff.locator(".messagelist")).to_contain_text("is cancelled")
    # The rest runs in the background: after the request without a broker, or in CI on a
    # real worker, which cannot reach this test's Stripe stand-in. So the periodic job
    # that retries refunds runs here once the registration has ended, as beat would.
    wait_until(
        lambda: registration.log.filter(action="program cancelled").exists(),
        what="the registration to end",
    )
    tasks.finish_program_cancellations()
    staff.reload()
    expect(staff.locator(".field-cancellation")).to_contain_text("1 refunded in full")
    look(staff, "admin-program-cancelled")

    letter = site.inbox.wait_for(
        to="participant@example.com", subject=f"{program.title} is cancelled"
    )
    assert "We are refunding the $450 CAD you paid, in full" in letter.text
    assert "The next term, Mindful Self-Compassion: Spring" in letter.text
    # In CI a worker wrote the email, with the site address of its own settings: the path
    # is what leads back here.
    participant.goto(site.url + found_in(letter.text, r"^http\S+?(/programs/\S+/)$"))
    expect(participant.get_by_role("heading", level=1)).to_have_text(next_term.title)

    participant.goto(site.url + program.get_absolute_url())
    expect(participant.get_by_role("heading", name="Cancelled")).to_be_visible()
    look(participant, "program-cancelled")

    participant.goto(site.url + "/accounts/login/")
    with_password = participant.get_by_role("region", name="Or use your password")
    with_password.get_by_label("Email").fill("participant@example.com")
    with_password.get_by_label("Password").fill(PASSWORD)
    with_password.get_by_role("button", name="Sign in").click()
    expect(participant.get_by_role("button", name="Sign out")).to_be_visible()
    participant.goto(site.url + "/registrations/")
    card = participant.locator(".registration-card", has_text=program.title)
    expect(card).to_contain_text("Refunded")
    expect(card).to_contain_text("The program was cancelled: $450 refunded")
    look(participant, "my-registrations-refunded")

    site.wait_for_webhooks()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    assert Program.objects.get(pk=program.pk).status == Program.Status.CANCELLED
    (refund,) = site.stripe.refunds.values()
    assert refund["amount"] == 45000
