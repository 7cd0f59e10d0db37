"""Access records: every look at health answers writes one (who, when, program, people)."""

import pytest
from django.urls import reverse

from omwellness.models import SensitiveAccess
from registrations.models import Registration

from ..facilitate.helpers import answered_participant, portal_url, program_led_by
from ..factories import RegistrationFactory, UserFactory, make_program_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher():
    return UserFactory(name="Lead teacher")


@pytest.fixture
def answered(teacher):
    return answered_participant(program_led_by(teacher, title="Winter MSC"))


def test_privacy_access_record_for_the_roster_page(client, teacher, answered):
    RegistrationFactory(program=answered.program)  # answered nothing sensitive
    client.force_login(teacher)

    assert client.get(portal_url("roster", answered.program)).status_code == 200

    record = SensitiveAccess.objects.get()
    assert (record.user, record.user_email, record.program, record.people) == (
        teacher,
        teacher.email,
        answered.program,
        1,
    )
    assert record.program_title == "Winter MSC" and "roster page" in record.what


def test_privacy_access_record_for_a_csv_export_only_with_health_answers(client, teacher, answered):
    client.force_login(teacher)
    url = portal_url("export", answered.program)

    client.get(url)
    client.get(url + "?answers=on")
    assert not SensitiveAccess.objects.exists()

    response = client.get(url + "?answers=on&sensitive=on")
    assert "Recovering from surgery" in response.content.decode()
    record = SensitiveAccess.objects.get()
    assert record.people == 1 and record.what == "roster CSV export with health answers"


def test_privacy_access_record_for_staff_on_the_answers_page_not_for_the_person(client, answered):
    url = reverse("registrations:answers", args=[answered.reference])
    owner = UserFactory(email=answered.email)
    client.force_login(owner)
    assert client.get(url).status_code == 200
    assert not SensitiveAccess.objects.exists()

    staff = make_program_staff()
    client.force_login(staff)
    assert client.get(url).status_code == 200
    record = SensitiveAccess.objects.get()
    assert (record.user, record.people) == (staff, 1)
    assert answered.reference in record.what


def test_privacy_access_record_for_the_registration_admin_page(client, answered):
    staff = make_program_staff()
    client.force_login(staff)

    page = client.get(reverse("admin:registrations_registration_change", args=[answered.pk]))

    assert "Recovering from surgery" in page.content.decode()
    record = SensitiveAccess.objects.get()
    assert (record.user, record.program, record.people) == (staff, answered.program, 1)


def test_privacy_access_records_are_listed_read_only_in_the_admin(admin_client, teacher, answered):
    client_for_teacher = admin_client.__class__()
    client_for_teacher.force_login(teacher)
    client_for_teacher.get(portal_url("roster", answered.program))
    record = SensitiveAccess.objects.get()

    listing = admin_client.get(reverse("admin:omwellness_sensitiveaccess_changelist"))
    assert teacher.email in listing.content.decode() and "Winter MSC" in listing.content.decode()
    change = admin_client.post(
        reverse("admin:omwellness_sensitiveaccess_change", args=[record.pk]), {"people": 0}
    )
    assert change.status_code == 403
    delete = admin_client.post(
        reverse("admin:omwellness_sensitiveaccess_delete", args=[record.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert SensitiveAccess.objects.get().people == 1


def test_privacy_access_record_for_the_applications_page(client, teacher):
    program = program_led_by(teacher, title="Small-group MSC", requires_approval=True)
    applicant = answered_participant(program)
    Registration.objects.filter(pk=applicant.pk).update(status=Registration.Status.APPLIED)
    client.force_login(teacher)

    page = client.get(portal_url("applications", program)).content.decode()

    assert "Recovering from surgery" in page
    record = SensitiveAccess.objects.get()
    assert (record.user, record.program, record.people) == (teacher, program, 1)
    assert record.what == "applications page (intake answers)"
