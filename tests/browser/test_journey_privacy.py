"""A participant sees and downloads what the site holds about them, asks for deletion, and
staff complete the request in the admin; the privacy page is a click from every footer."""

import json

import pytest
from playwright.sync_api import expect

from omwellness.models import User
from privacy.models import DeletionRequest
from registrations.models import Answer, Payment, Registration

from ..factories import QuestionFactory, RegistrationFactory, UserFactory
from .helpers import PASSWORD, days_from_today, evening_program

pytestmark = pytest.mark.django_db(transaction=True)

HEALTH = "A sore back"


def _sign_in(page, site, email: str) -> None:
    page.goto(site.url + "/accounts/login/")
    with_password = page.get_by_role("region", name="Or use your password")
    with_password.get_by_label("Email").fill(email)
    with_password.get_by_label("Password").fill(PASSWORD)
    with_password.get_by_role("button", name="Sign in").click()


def test_journey_privacy_download_my_data_and_ask_for_deletion(site, visitor, look):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    UserFactory(email="participant@example.com", name="Demo participant 1")
    program = evening_program(first_day=days_from_today(-60), weeks=2, title="Autumn MSC")
    question = QuestionFactory(program=program, text="Anything about your health?", sensitive=True)
    stay = RegistrationFactory(
        program=program, name="Demo participant 1", email="participant@example.com"
    )
    Answer.objects.create(
        registration=stay,
        question=question,
        question_text=question.text,
        sensitive=True,
        value=HEALTH,
    )
    Payment.objects.create(
        registration=stay,
        checkout_session_id=f"cs_test_{stay.reference}",
        amount_cents=45000,
        status=Payment.Status.PAID,
        paid_at=stay.confirmed_at,
    )
    page = visitor(phone=True)

    page.goto(site.url + "/")
    page.get_by_role("contentinfo").get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your privacy")
    look(page, "privacy-page")

    _sign_in(page, site, "participant@example.com")
    page.get_by_role("link", name="My registrations").click()
    look(page, "my-registrations")
    page.get_by_role("link", name="read it here").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Everything we hold about you")
    expect(page.get_by_text(HEALTH)).to_be_visible()
    expect(page.get_by_text(stay.reference)).to_be_visible()
    look(page, "my-data")

    with page.expect_download() as download:
        page.get_by_role("link", name="download your data (JSON)").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["account"]["email"] == "participant@example.com"
    [registration] = data["registrations"]
    assert registration["answers"][0]["answer"] == HEALTH
    assert registration["payments"][0]["amount"]["cents"] == 45000

    page.get_by_role("link", name="ask for deletion").click()
    look(page, "deletion")
    page.get_by_role("button", name="Ask for deletion").click()
    expect(page.get_by_role("status")).to_contain_text("We have your request")
    expect(page.get_by_role("heading", name="We have your request")).to_be_visible()
    look(page, "deletion-asked")

    staff = visitor()
    staff.goto(site.url + "/admin/")
    staff.get_by_label("Email address").fill("staff@example.com")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.get_by_role("link", name="Deletion requests").click()
    row = staff.get_by_role("row").filter(has_text="participant@example.com")
    look(staff, "admin-deletion-requests")
    row.get_by_role("checkbox").check()
    staff.locator('select[name="action"]').select_option("complete")
    staff.get_by_role("button", name="Go").click()
    expect(staff.locator(".messagelist")).to_contain_text("Completed 1 request")
    look(staff, "admin-deletion-completed")

    letter = site.inbox.wait_for(
        to="participant@example.com", subject="We have deleted your personal data"
    )
    assert "payments and refunds" in letter.text
    assert not DeletionRequest.objects.get().is_open
    assert not User.objects.filter(email="participant@example.com").exists()
    stay = Registration.objects.get(pk=stay.pk)
    assert stay.email == "" and stay.answers.get().value == ""
    assert stay.payments.get().amount_cents == 45000
