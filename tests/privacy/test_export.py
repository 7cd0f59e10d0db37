"""Download my data: everything the site holds about the signed-in person, nothing else."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from facilitate.models import Attendance
from registrations.models import WaitlistEntry

from ..factories import RegistrationFactory, UserFactory, WaitlistEntryFactory
from .helpers import HEALTH, answer, paid, sent_email

pytestmark = pytest.mark.django_db

JSON_URL = reverse("privacy:my_data_json")
PAGE_URL = reverse("privacy:my_data")


@pytest.fixture
def person(client):
    user = UserFactory(email="ada@example.com", name="Ada Example")
    client.force_login(user)
    return user


def _registered(email="ada@example.com", **kwargs):
    registration = RegistrationFactory(email=email, phone="+1 416-555-0123", **kwargs)
    answer(registration, sensitive=True, value=HEALTH)
    paid(registration, cents=45000, refund_cents=10000)
    sent_email(registration)
    Attendance.objects.create(
        registration=registration, session=registration.program.sessions.first(), present=True
    )
    return registration


def test_privacy_export_json_holds_everything_about_the_person(client, person):
    mine = _registered()
    WaitlistEntryFactory(email="ADA@example.com", status=WaitlistEntry.Status.WAITING)
    _registered(email="someone-else@example.com")

    response = client.get(JSON_URL)

    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == "ada@example.com"
    assert data["account"]["verified_addresses"] == ["ada@example.com"]
    [registration] = data["registrations"]
    assert registration["reference"] == mine.reference
    assert registration["phone"] == "+1 416-555-0123"
    assert registration["answers"][0]["answer"] == HEALTH
    assert registration["answers"][0]["health_related"] is True
    [payment] = registration["payments"]
    assert payment["amount"]["cents"] == 45000 and payment["refunded"]["shown"] == "$100"
    assert payment["refunds"][0]["amount"]["cents"] == 10000
    assert registration["attendance"] == [{"session": "Week 1", "present": True}]
    assert registration["agreement_accepted"] is None  # made without the form
    assert [e["program"] for e in data["waitlist_entries"]] != []
    assert [e["subject"] for e in data["emails_sent"]] == ["You're registered"]
    assert "someone-else" not in response.content.decode()


def test_privacy_export_page_reads_the_same_data(client, person):
    mine = _registered()

    page = client.get(PAGE_URL).content.decode()

    assert "Everything we hold about you" in page
    for shown in (mine.reference, mine.program.title, HEALTH, "$450", "Week 1", "registered"):
        assert shown in page
    assert JSON_URL in page and reverse("privacy:deletion") in page


def test_privacy_export_needs_a_signed_in_person(client):
    for url in (JSON_URL, PAGE_URL, reverse("privacy:deletion")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_privacy_export_of_an_unverified_address_holds_the_account_only(client):
    user = UserFactory(email="new@example.com", verified=False)
    user.save()  # the factory saves its password only with the verified address
    RegistrationFactory(email="new@example.com")
    client.force_login(user)

    response = client.get(JSON_URL)
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    data = json.loads(response.content)

    assert data["account"]["email"] == "new@example.com" and data["registrations"] == []


def test_privacy_export_page_reads_in_as_many_queries_for_one_registration_as_for_five(
    client, person
):
    _registered()
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE_URL)
    for _ in range(4):
        _registered()
    with CaptureQueriesContext(connection) as five:
        client.get(PAGE_URL)
    assert len(five) == len(one)
