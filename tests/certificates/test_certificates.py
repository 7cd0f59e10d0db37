"""Certificates of completion: the rule, issuing, the PDF, the public page, revoking.

Test names carry `certificate` for `pytest -k certificate`.
"""

import io
import re
import threading
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from certificates import services
from certificates.models import CODE_LENGTH, Certificate, new_code, normalize_code
from facilitate.completion import program_completion
from facilitate.models import Attendance
from outbox.models import OutboundEmail
from registrations.models import REFERENCE_ALPHABET, Registration, RegistrationLog

from ..factories import FacilitatorFactory, RegistrationFactory, UserFactory, staff_with
from ..helpers import pdf_text
from .helpers import attended, completed_program

pytestmark = pytest.mark.django_db

ALL, NO_RETREAT = [0, 1, 2, 3], [0, 1, 2]


def issued_emails():
    return OutboundEmail.objects.filter(kind="certificate_issued")


# --- who meets the rule ------------------------------------------------------------------


def test_certificate_rule_counts_live_attendance_and_required_sessions():
    program = completed_program()
    everything = attended(program, ALL, name="All four")
    three_with_retreat = attended(program, [0, 2, 3], name="Three with the retreat")
    three_without = attended(program, NO_RETREAT, name="Three without the retreat")
    two = attended(program, [0, 3], name="Two")
    attended(program, ALL, name="Cancelled", status=Registration.Status.CANCELLED)
    # Marks for another program's sessions (a transfer's leftovers) do not count here.
    elsewhere = completed_program().sessions.all()
    Attendance.objects.bulk_create(
        Attendance(registration=two, session=session, present=True) for session in elsewhere
    )

    completion = program_completion(program=program)

    rows = {row.name: row for row in completion.rows}
    assert set(rows) == {"All four", "Three with the retreat", "Three without the retreat", "Two"}
    assert [name for name, row in rows.items() if row.meets_rule] == [
        "All four",
        "Three with the retreat",
    ]
    assert rows["Three without the retreat"].missed_required == ("Closing retreat",)
    assert (rows["Two"].attended, rows["Two"].meets_rule) == (2, False)
    assert rows["All four"].live_minutes == 4 * 150
    assert completion.has_ended and completion.meeting == 2
    assert {r.registration_id for r in completion.to_issue} == {
        everything.pk,
        three_with_retreat.pk,
    }
    assert three_without.pk not in {r.registration_id for r in completion.to_issue}


def test_certificate_rule_is_read_in_three_queries_whatever_the_size():
    counts = {}
    for size in (1, 25):
        program = completed_program()
        for _ in range(size):
            attended(program, ALL)
        program.refresh_from_db()
        with CaptureQueriesContext(connection) as captured:
            completion = program_completion(program=program)
        assert len(completion.rows) == size
        counts[size] = len(captured)
    assert counts == {1: 3, 25: 3}


def test_certificate_program_without_a_rule_gives_none():
    program = completed_program(completion_min_sessions=None)
    registration = attended(program, ALL)
    assert not program_completion(program=program).to_issue
    with pytest.raises(services.CertificateRefused, match="no certificate"):
        services.certificate_issue(registration=registration, actor=None)


# --- issuing -----------------------------------------------------------------------------


def test_certificate_issue_is_idempotent_logged_and_emailed_once():
    teacher = UserFactory()
    program = completed_program(teacher=teacher, title="Winter MSC")
    registration = attended(program, ALL, name="Ada Example", email="ada@example.com")

    first, created = services.certificate_issue(registration=registration, actor=teacher)
    again, created_again = services.certificate_issue(registration=registration, actor=teacher)
    result = services.certificates_issue_all(program=program, actor=teacher)

    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert (result.issued, result.already) == (0, 1)
    assert Certificate.objects.count() == 1
    assert registration.log.filter(action="certificate_issued").count() == 1
    (email,) = issued_emails()
    assert email.recipient == "ada@example.com" and email.reference == registration.reference
    assert "Winter MSC" in email.subject
    # Without an account, the download link carries the token the first visit trades.
    download = reverse("certificates:download", args=[registration.reference])
    assert f"{download}?token={registration.access_token}" in email.body_text
    assert first.get_absolute_url() in email.body_text


def test_certificate_issue_all_waits_for_the_end_and_skips_who_falls_short():
    running = completed_program(starts_in=timedelta(days=-10))
    registration = attended(running, [0, 1])
    with pytest.raises(services.CertificateRefused, match="last session has ended"):
        services.certificates_issue_all(program=running, actor=None)
    with pytest.raises(services.CertificateRefused, match="last session has ended"):
        services.certificate_issue(registration=registration, actor=None)

    ended = completed_program()
    attended(ended, ALL)
    attended(ended, [0, 1, 3])
    short = attended(ended, NO_RETREAT, name="Short of the retreat")
    result = services.certificates_issue_all(program=ended, actor=None)
    assert (result.issued, result.already) == (2, 0)
    with pytest.raises(services.CertificateRefused, match="does not meet"):
        services.certificate_issue(registration=short, actor=None)
    assert Certificate.objects.count() == 2 and issued_emails().count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_certificate_issued_from_two_places_at_once_is_one_certificate():
    program = completed_program()
    registration = attended(program, ALL)
    barrier = threading.Barrier(2)
    errors = []

    def issue():
        try:
            barrier.wait()
            services.certificate_issue(registration=registration, actor=None)
        except Exception as error:  # the assertion below reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Certificate.objects.filter(registration=registration).count() == 1
    assert issued_emails().count() == 1


def test_certificate_states_what_was_true_when_issued():
    program = completed_program(title="Mindful Self-Compassion")
    program.facilitators.add(FacilitatorFactory(name="Co-teacher"))
    registration = attended(program, ALL, name="Ada Example")
    certificate, _ = services.certificate_issue(registration=registration, actor=None)

    program.title = "Renamed later"
    program.save()
    shift = timedelta(days=7)
    program.sessions.update(starts_at=F("starts_at") + shift, ends_at=F("ends_at") + shift)
    Registration.objects.filter(pk=registration.pk).update(name="Someone else")
    Attendance.objects.filter(registration=registration).update(present=False)

    certificate.refresh_from_db()
    assert (certificate.name, certificate.program_title) == (
        "Ada Example",
        "Mindful Self-Compassion",
    )
    assert (certificate.sessions_attended, certificate.live_hours) == (4, "10")
    assert certificate.facilitators == "Co-teacher"
    text = pdf_text(_download(registration))
    assert "Ada Example" in text and "Renamed later" not in text


# --- the code ----------------------------------------------------------------------------


def test_certificate_codes_are_unguessable_and_readable():
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"[0-9A-Z]{5}(-[0-9A-Z]{5}){3}", code)
        assert set(code.replace("-", "")) <= set(REFERENCE_ALPHABET)
        assert not set(code) & set("0O1IL")
    # 20 characters of 31: more than 80 bits.
    assert CODE_LENGTH * 4.95 > 80
    code = new_code()
    assert normalize_code(code.lower().replace("-", " ")) == code
    assert normalize_code("OMW-12345") == normalize_code(code[:-1] + "O") == ""


# --- the PDF -----------------------------------------------------------------------------


def _download(registration):
    client = Client()
    client.force_login(registration.user or UserFactory(email=registration.email))
    response = client.get(reverse("certificates:download", args=[registration.reference]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_certificate_pdf_says_who_what_when_hours_facilitators_and_how_to_verify(settings):
    settings.SITE_URL = "https://register.omwellness.ca"
    program = completed_program(title="Autocompassion en pleine conscience : été")
    program.facilitators.add(FacilitatorFactory(name="Anaïs Lefèvre (demo profile)"))
    registration = attended(program, [0, 2, 3], name="Hélène Côté-Lœwen")
    certificate, _ = services.certificate_issue(registration=registration, actor=None)

    content = _download(registration)

    text = pdf_text(content)
    assert "Hélène Côté-Lœwen" in text
    assert "Autocompassion en pleine conscience : été" in text
    assert "Anaïs Lefèvre (demo profile)" in text
    assert certificate.dates in text
    assert "3 of 4 sessions attended live · 7.5 hours" in text
    assert certificate.code in text
    assert f"https://register.omwellness.ca/certificates/{certificate.code}/" in text
    page = PdfReader(io.BytesIO(content)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape


# --- the public page ---------------------------------------------------------------------


def test_certificate_verification_page_shows_only_name_program_and_date(client):
    program = completed_program(title="Winter MSC")
    registration = attended(program, ALL, name="Ada Example", email="ada@example.com")
    certificate, _ = services.certificate_issue(registration=registration, actor=None)

    for code in (certificate.code, certificate.code.lower().replace("-", "")):
        response = client.get(f"/certificates/{code}/")
        page = response.content.decode()
        assert response.status_code == 200
        assert "This is a valid certificate of completion" in page
        assert "Ada Example" in page and "Winter MSC" in page
        assert f"{certificate.last_day:%B} {certificate.last_day.day}" in page
    assert "ada@example.com" not in page and registration.reference not in page
    assert "hours" not in page and "Lead teacher" not in page
    assert response["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in page


def test_certificate_unknown_code_gets_a_clear_404_page(client):
    for code in (new_code(), "not-a-code"):
        response = client.get(f"/certificates/{code}/")
        assert response.status_code == 404
        assert "No certificate with this code" in response.content.decode()
        assert response["X-Robots-Tag"].startswith("noindex")


def test_certificate_verification_is_rate_limited_per_client(client, settings):
    settings.FORM_RATE_LIMITS = {
        **settings.FORM_RATE_LIMITS,
        "certificate": {"client": "3/h", "email": "100/h"},
    }
    statuses = [client.get(f"/certificates/{new_code()}/").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


# --- revoking ----------------------------------------------------------------------------


def _revoke_in_admin(client, certificate, reason):
    return client.post(
        reverse("admin:certificates_certificate_changelist"),
        {"action": "revoke", ACTION_CHECKBOX_NAME: [certificate.pk], "reason": reason},
    )


def test_certificate_revoked_by_staff_with_a_reason_says_only_that(client):
    program = completed_program(title="Winter MSC")
    owner = UserFactory(name="Ada Example")
    registration = attended(program, ALL, name="Ada Example", email=owner.email, user=owner)
    certificate, _ = services.certificate_issue(registration=registration, actor=None)
    office = staff_with("certificates.view_certificate", "certificates.revoke_certificate")
    client.force_login(office)

    _revoke_in_admin(client, certificate, "")
    certificate.refresh_from_db()
    assert not certificate.is_revoked  # no reason, nothing revoked
    _revoke_in_admin(client, certificate, "Attendance was marked in error.")
    certificate.refresh_from_db()
    assert certificate.is_revoked and certificate.revoked_by == office
    assert certificate.revoked_reason == "Attendance was marked in error."
    assert RegistrationLog.objects.filter(registration=registration, action="certificate_revoked")

    client.logout()
    page = client.get(certificate.get_absolute_url()).content.decode()
    assert "This certificate was revoked" in page
    assert "Ada Example" not in page and "Winter MSC" not in page and "error" not in page
    client.force_login(owner)
    mine = client.get(reverse("registrations:list")).content.decode()
    assert "Certificate of completion" not in mine
    download = reverse("certificates:download", args=[registration.reference])
    assert client.get(download).status_code == 404
    # Issuing again does not bring it back.
    again, created = services.certificate_issue(registration=registration, actor=None)
    assert (again.pk, again.is_revoked, created) == (certificate.pk, True, False)


def test_certificate_revoking_needs_the_permission(client):
    registration = attended(completed_program(), ALL)
    certificate, _ = services.certificate_issue(registration=registration, actor=None)
    client.force_login(staff_with("certificates.view_certificate"))
    _revoke_in_admin(client, certificate, "No right to do this.")
    certificate.refresh_from_db()
    assert not certificate.is_revoked


# --- the facilitator's page and the participant's download ------------------------------


def test_certificate_facilitator_sees_who_meets_the_rule_and_issues(client):
    teacher = UserFactory()
    program = completed_program(teacher=teacher)
    ada = attended(program, ALL, name="Ada Example")
    bea = attended(program, [0, 1, 3], name="Bea Example")
    cy = attended(program, NO_RETREAT, name="Cy Example")
    page_url = reverse("certificates:completion", args=[program.slug])
    client.force_login(teacher)

    roster = client.get(reverse("facilitate:roster", args=[program.slug])).content.decode()
    assert page_url in roster
    page = client.get(page_url).content.decode()
    assert "3 of 4 sessions attended live" in page and "Closing retreat" in page
    assert "recording does not" in page
    assert "Missed Closing retreat" in page
    assert page.count('name="issue" value="OMW-') == 2
    assert "Issue certificates to everyone who meets the rule" in page

    client.post(page_url, {"issue": bea.reference})
    assert list(Certificate.objects.values_list("registration", flat=True)) == [bea.pk]
    client.post(page_url, {"issue": "all"})
    assert set(Certificate.objects.values_list("registration", flat=True)) == {ada.pk, bea.pk}
    response = client.post(page_url, {"issue": cy.reference}, follow=True)
    assert "does not meet the completion rule" in response.content.decode()
    assert Certificate.objects.count() == 2


def test_certificate_page_is_for_the_programs_facilitators_and_permitted_staff(client):
    program = completed_program(teacher=UserFactory())
    registration = attended(program, ALL, name="Ada Example")
    page_url = reverse("certificates:completion", args=[program.slug])
    other = UserFactory()
    completed_program(teacher=other)
    readers = staff_with(
        "registrations.view_registration",
        "registrations.view_answer",
        "certificates.view_certificate",
    )

    client.force_login(other)
    assert client.get(page_url).status_code == 404
    assert client.post(page_url, {"issue": "all"}).status_code == 404
    client.force_login(readers)
    assert "Ada Example" in client.get(page_url).content.decode()
    assert client.post(page_url, {"issue": registration.reference}).status_code == 404
    assert not Certificate.objects.exists()
    client.force_login(staff_with(*readers.get_all_permissions(), "certificates.add_certificate"))
    client.post(page_url, {"issue": registration.reference})
    assert Certificate.objects.count() == 1


def test_certificate_download_from_my_registrations_and_by_emailed_link(client):
    program = completed_program(title="Winter MSC")
    owner = UserFactory()
    mine = attended(program, ALL, email=owner.email, user=owner)
    guest = attended(program, ALL, email="guest@example.com")
    services.certificates_issue_all(program=program, actor=None)
    download = reverse("certificates:download", args=[mine.reference])

    client.force_login(owner)
    listing = client.get(reverse("registrations:list")).content.decode()
    assert download in listing
    assert download in client.get(mine.get_absolute_url()).content.decode()
    assert client.get(download)["Content-Type"] == "application/pdf"
    theirs = reverse("certificates:download", args=[guest.reference])
    assert client.get(theirs).status_code == 404

    client.logout()
    opened = client.get(theirs, {"token": guest.access_token})
    assert opened.status_code == 302 and opened["Location"] == theirs
    assert pdf_text(client.get(theirs).content).count(guest.name) == 1


def test_certificate_links_keep_my_registrations_queries_constant(client):
    counts = {}
    for size in (1, 12):
        owner = UserFactory()
        program = completed_program()
        for _ in range(size):
            registration = RegistrationFactory(program=program, user=owner, email=owner.email)
            Attendance.objects.bulk_create(
                Attendance(registration=registration, session=s, present=True)
                for s in program.sessions.all()
            )
            services.certificate_issue(registration=registration, actor=None)
            program = completed_program()
        client.force_login(owner)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("registrations:list")).content.decode()
        assert page.count("Certificate of completion (PDF)") == size
        counts[size] = len(captured)
    assert counts[1] == counts[12]


def test_certificate_rule_is_on_the_program_page(client):
    program = completed_program(starts_in=timedelta(days=20))
    page = client.get(program.get_absolute_url()).content.decode()
    assert (
        "A certificate of completion is given for attending at least 3 of the 4 sessions "
        "live, including Closing retreat." in page
    )
    assert "recording does not count" in page


def test_certificate_demo_prints_addresses_that_open(client, settings):
    settings.SITE_URL = "http://testserver"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)  # a second run adds nothing
    valid, revoked = re.findall(r"http://testserver(/certificates/[0-9A-Z-]+/)", out.getvalue())[:2]
    assert "Certificate verified" in client.get(valid).content.decode()
    assert "This certificate was revoked" in client.get(revoked).content.decode()
    completion = program_completion(program=Certificate.objects.first().registration.program)
    assert Certificate.objects.count() == 3 and len(completion.to_issue) == 1
