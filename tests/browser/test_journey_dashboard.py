"""The overview journey: staff open the registrations dashboard from the admin index
(SVG chart, its table in a <details>), a facilitator sees attendance per session and
who is at risk on the roster, and staff cancel two registrations at once, which runs in
the background with the result in each registration's log. Every page is checked with
axe and photographed (`look`)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from facilitate.models import Attendance
from registrations.models import Registration, WaitlistEntry

from ..factories import (
    FacilitatorFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from .helpers import PASSWORD, days_from_today, evening_program

pytestmark = pytest.mark.django_db(transaction=True)


def admin_sign_in(page: Page, site, email: str) -> None:
    page.goto(site.url + "/admin/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_journey_dashboard_experience_staff_and_facilitator_overview(site, visitor, look):
    now = timezone.now()
    upcoming = evening_program(
        first_day=days_from_today(12),
        title="Mindful Self-Compassion: Winter",
        capacity=12,
        registration_opens_at=now - timedelta(days=6),
    )
    for n in range(1, 6):
        RegistrationFactory(
            program=upcoming,
            name=f"Demo participant {n}",
            email=f"p{n}@example.com",
            created_at=now - timedelta(days=n),
        )
    RegistrationFactory(
        program=upcoming,
        status=Registration.Status.PENDING,
        hold_expires_at=now + timedelta(minutes=20),
        confirmed_at=None,
    )
    WaitlistEntryFactory(program=upcoming, status=WaitlistEntry.Status.WAITING)

    running = evening_program(
        first_day=days_from_today(-15), weeks=4, title="Running program", completion_min_sessions=3
    )
    teacher = UserFactory(email="teacher@example.com", name="Lead teacher")
    running.facilitators.add(FacilitatorFactory(name="Lead teacher (demo profile)", user=teacher))
    sessions = list(running.sessions.order_by("starts_at"))
    for name, came in [("Demo participant 6", {0, 1, 2}), ("Demo participant 7", {0})]:
        registration = RegistrationFactory(program=running, name=name)
        Attendance.objects.bulk_create(
            Attendance(registration=registration, session=s, present=n in came)
            for n, s in enumerate(sessions[:3])
        )
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)

    # Staff: the admin index links the dashboard.
    staff = visitor()
    admin_sign_in(staff, site, "staff@example.com")
    look(staff, "admin-index")
    staff.get_by_role("link", name="Registrations dashboard").click()
    expect(staff.get_by_role("heading", name="Registrations dashboard")).to_be_visible()
    expect(staff.get_by_role("row").filter(has_text="Winter")).to_contain_text("6 / 12")
    staff.get_by_text(
        "Confirmed registrations per day: Mindful Self-Compassion: Winter as a table"
    ).click()
    look(staff, "admin-dashboard")

    # The facilitator: attendance per session and who is at risk, on the roster.
    facilitator = visitor(phone=True)
    facilitator.goto(site.url + "/accounts/login/")
    with_password = facilitator.get_by_role("region", name="Or use your password")
    with_password.get_by_label("Email").fill("teacher@example.com")
    with_password.get_by_label("Password").fill(PASSWORD)
    with_password.get_by_role("button", name="Sign in").click()
    facilitator.goto(site.url + f"/facilitate/{running.slug}/")
    expect(
        facilitator.get_by_role("heading", name="At risk of missing the certificate")
    ).to_be_visible()
    expect(facilitator.locator(".at-risk")).to_contain_text("Demo participant 7")
    expect(facilitator.locator(".at-risk")).not_to_contain_text("Demo participant 6")
    facilitator.get_by_text("Present at each session as a table").click()
    look(facilitator, "roster-overview")

    # Staff cancel two registrations at once: in the background, the result in each log.
    staff.goto(site.url + "/admin/registrations/registration/")
    for name in ("Demo participant 1", "Demo participant 2"):
        staff.get_by_role("row").filter(has_text=name).get_by_role("checkbox").check()
    staff.locator("select[name=action]").select_option("cancel_with_refund")
    staff.get_by_role("button", name="Go").click()
    staff.get_by_label("Reason").fill("Moved to another term")
    look(staff, "admin-cancel-many")
    staff.get_by_role("button", name="Cancel registrations").click()
    expect(staff.locator(".messagelist")).to_contain_text(
        "Cancelling 2 registrations in the background"
    )
    look(staff, "admin-cancel-many-done")
    assert (
        Registration.objects.filter(program=upcoming, status=Registration.Status.CANCELLED).count()
        == 2
    )
