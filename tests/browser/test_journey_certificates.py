"""The certificates journey: a facilitator sees who meets the completion rule and
issues certificates, a participant downloads theirs from "My registrations", anyone
verifies one at /certificates/<code>/, staff revoke one in the admin, and an unknown
code gets its 404 page. Every page is checked with axe and photographed (`look`)."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from certificates.models import Certificate, new_code
from facilitate.models import Attendance

from ..factories import FacilitatorFactory, RegistrationFactory, SessionFactory, UserFactory
from ..helpers import pdf_text
from .helpers import PASSWORD, days_from_today, evening_program, found_in

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Mindful Self-Compassion: Autumn"


def sign_in(page: Page, site, email: str) -> None:
    page.goto(site.url + "/accounts/login/")
    with_password = page.get_by_role("region", name="Or use your password")
    with_password.get_by_label("Email").fill(email)
    with_password.get_by_label("Password").fill(PASSWORD)
    with_password.get_by_role("button", name="Sign in").click()


def ended_program_with_people():
    """Eight evenings and a retreat that ended weeks ago; 7 of 9 live, the retreat
    required. Hélène came to all, participant 2 to seven with the retreat, participant
    3 to eight without it."""
    program = evening_program(
        first_day=days_from_today(-70), title=TITLE, completion_min_sessions=7
    )
    retreat_day = days_from_today(-70) + timedelta(weeks=4, days=3)
    starts_at = datetime.combine(retreat_day, time(10), tzinfo=timezone.get_default_timezone())
    SessionFactory(
        program=program,
        title="Half-day silent retreat",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=4),
        required_for_completion=True,
    )
    teacher = UserFactory(email="teacher@example.com", name="Lead teacher")
    program.facilitators.add(FacilitatorFactory(name="Lead teacher (demo profile)", user=teacher))
    owner = UserFactory(email="helene@example.com", name="Hélène Côté-Lœwen")
    people = {
        "Hélène Côté-Lœwen": RegistrationFactory(
            program=program, name="Hélène Côté-Lœwen", email=owner.email, user=owner
        ),
        "Demo participant 2": RegistrationFactory(
            program=program, name="Demo participant 2", email="two@example.com"
        ),
        "Demo participant 3": RegistrationFactory(
            program=program, name="Demo participant 3", email="three@example.com"
        ),
    }
    sessions = list(program.sessions.order_by("starts_at"))
    came = {
        "Hélène Côté-Lœwen": set(range(9)),
        "Demo participant 2": {0, 1, 2, 3, 5, 6, 8},  # the retreat is the sixth
        "Demo participant 3": {0, 1, 2, 3, 4, 6, 7, 8},
    }
    Attendance.objects.bulk_create(
        Attendance(registration=people[name], session=session, present=n in came[name])
        for name in people
        for n, session in enumerate(sessions)
    )
    return program, people


def test_journey_certificates_issued_downloaded_verified_and_revoked(site, visitor, look):
    program, people = ended_program_with_people()
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)

    # The facilitator sees who meets the rule and issues, one person and then the rest.
    teacher = visitor()
    sign_in(teacher, site, "teacher@example.com")
    teacher.get_by_role("link", name="Facilitate").click()
    teacher.get_by_role("link", name=TITLE).click()
    teacher.get_by_role("link", name="Certificates").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(teacher.get_by_text("recording does not count")).to_be_visible()
    table = teacher.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="Demo participant 3")).to_contain_text(
        "Missed Half-day silent retreat"
    )
    look(teacher, "completion")
    teacher.get_by_role("button", name="Issue a certificate to Demo participant 2").click()
    expect(teacher.get_by_role("status")).to_have_text(
        "Certificate issued to Demo participant 2; they were emailed."
    )
    teacher.get_by_role("button", name="Issue certificates to everyone who meets the rule").click()
    expect(teacher.get_by_role("status")).to_contain_text("Issued 1 certificate")
    expect(teacher.get_by_text("Everyone who meets the rule has a certificate.")).to_be_visible()
    look(teacher, "certificates-issued")
    assert set(Certificate.objects.values_list("name", flat=True)) == {
        "Hélène Côté-Lœwen",
        "Demo participant 2",
    }

    # Hélène is emailed, and downloads hers from "My registrations".
    letter = site.inbox.wait_for(
        to="helene@example.com", subject=f"Your certificate of completion: {TITLE}"
    )
    verify_url = found_in(letter.text, r"check it at (\S+/certificates/[0-9A-Z-]+/)")
    participant = visitor(phone=True)
    sign_in(participant, site, "helene@example.com")
    participant.get_by_role("link", name="My registrations").click()
    look(participant, "my-registrations")
    with participant.expect_download() as download:
        participant.get_by_role("link", name=f"Certificate of completion (PDF) for {TITLE}").click()
    text = pdf_text(download.value.path().read_bytes())
    assert "Hélène Côté-Lœwen" in text and TITLE in text
    assert "9 of 9 sessions attended live" in text and verify_url in text

    # Anyone with the address sees that it is real: name, program and date.
    anyone = visitor()
    anyone.goto(verify_url)
    expect(anyone.get_by_role("heading", level=1)).to_have_text("Certificate verified")
    expect(anyone.get_by_text("Hélène Côté-Lœwen")).to_be_visible()
    look(anyone, "certificate-valid")

    # Staff revoke participant 2's in the admin, with a reason.
    revoked = Certificate.objects.get(name="Demo participant 2")
    staff = visitor()
    staff.goto(site.url + "/admin/")
    staff.get_by_label("Email address").fill("staff@example.com")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.get_by_role("link", name="Certificates", exact=True).click()
    look(staff, "admin-certificates")
    staff.get_by_role("row").filter(has_text="Demo participant 2").get_by_role("checkbox").check()
    staff.locator("select[name=action]").select_option("revoke")
    staff.get_by_label("Reason (for revoking)").fill("Attendance was marked in error.")
    staff.get_by_role("button", name="Go").click()
    expect(staff.locator(".messagelist")).to_contain_text("Revoked 1 certificate.")
    revoked.refresh_from_db()
    assert revoked.is_revoked and revoked.revoked_reason == "Attendance was marked in error."

    anyone.goto(site.url + revoked.get_absolute_url())
    expect(anyone.get_by_role("heading", level=1)).to_have_text("This certificate was revoked")
    expect(anyone.locator("main")).not_to_contain_text("Demo participant 2")
    look(anyone, "certificate-revoked")

    response = anyone.goto(site.url + f"/certificates/{new_code()}/")
    assert response.status == 404
    expect(anyone.get_by_role("heading", level=1)).to_have_text("No certificate with this code")
    look(anyone, "certificate-unknown")
    assert re.search(r"/certificates/[0-9A-Z-]{23}/$", verify_url)
