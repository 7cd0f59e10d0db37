"""Deletion requests: asked from "My registrations", completed by staff in the admin."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from omwellness.models import User
from outbox.models import OutboundEmail
from privacy.erasure import ERASED_BODY, ERASED_NAME
from privacy.models import DeletionRequest
from privacy.services import DeletionBlocked, deletion_complete, deletion_request
from registrations.models import Payment, Registration, WaitlistEntry

from ..factories import RegistrationFactory, UserFactory, WaitlistEntryFactory
from .helpers import HEALTH, answer, paid, program_ended, sent_email

pytestmark = pytest.mark.django_db

DELETION_URL = reverse("privacy:deletion")


@pytest.fixture
def person():
    return UserFactory(email="ada@example.com", name="Ada Example")


def _past_stay(**kwargs):
    """A confirmed, paid stay in a program that ended last month, with an email and answers."""
    registration = RegistrationFactory(
        program=program_ended(days_ago=30), email="ada@example.com", phone="+1 416-555-0123"
    )
    answer(registration, sensitive=True, value=HEALTH)
    paid(registration, cents=45000)
    sent_email(registration)
    return registration


def test_privacy_deletion_is_asked_from_my_registrations_with_a_30_day_due_date(client, person):
    client.force_login(person)
    assert DELETION_URL in client.get(reverse("registrations:list")).content.decode()
    assert "Ask for deletion" in client.get(DELETION_URL).content.decode()

    client.post(DELETION_URL)
    client.post(DELETION_URL)  # asking twice is one request

    request = DeletionRequest.objects.get()
    assert (request.user, request.email, request.address_list) == (
        person,
        "ada@example.com",
        ["ada@example.com"],
    )
    assert request.due_at == request.requested_at + timedelta(days=30)
    page = client.get(DELETION_URL).content.decode()
    assert "We have your request" in page and "Ask for deletion" not in page


def test_privacy_deletion_completed_erases_what_may_go_and_keeps_the_payments(
    person, django_capture_on_commit_callbacks
):
    stay = _past_stay()
    left = WaitlistEntryFactory(email="ada@example.com", status=WaitlistEntry.Status.WAITING)
    other = RegistrationFactory(email="someone-else@example.com")
    request = deletion_request(user=person)
    staff = UserFactory(is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        done = deletion_complete(request_id=request.pk, actor=staff)

    stay.refresh_from_db()
    assert (stay.email, stay.phone, stay.user) == ("", "", None)
    assert stay.name != ERASED_NAME  # paid this year: kept with the payment, for its receipt
    assert stay.answers.get().value == "" and stay.answers.get().erased_at is not None
    assert Payment.objects.get(registration=stay).amount_cents == 45000
    assert OutboundEmail.objects.get(reference=stay.reference).body_text == ERASED_BODY
    left.refresh_from_db()
    assert (left.status, left.email, left.name) == (WaitlistEntry.Status.LEFT, "", ERASED_NAME)
    assert not User.objects.filter(pk=person.pk).exists()
    assert not EmailAddress.objects.filter(email="ada@example.com").exists()
    assert Registration.objects.get(pk=other.pk).email == "someone-else@example.com"
    assert done.completed_by == staff and "Account deleted" in done.outcome
    [told] = [m for m in mail.outbox if m.to == ["ada@example.com"]]
    assert told.subject == "We have deleted your personal data"
    assert "payments and refunds" in told.body
    # Completing it again changes nothing and tells nobody twice.
    assert deletion_complete(request_id=request.pk, actor=staff).completed_at == done.completed_at
    assert OutboundEmail.objects.filter(kind="privacy_deletion_done").count() == 1


def test_privacy_deletion_waits_while_the_person_holds_a_seat_in_a_program_not_over(person):
    upcoming = RegistrationFactory(email="ada@example.com")  # starts in 30 days
    stay = _past_stay()
    request = deletion_request(user=person)

    with pytest.raises(DeletionBlocked, match=upcoming.reference):
        deletion_complete(request_id=request.pk, actor=None)

    # Nothing was erased: all or nothing.
    assert Registration.objects.get(pk=stay.pk).email == "ada@example.com"
    assert DeletionRequest.objects.get().is_open
    assert User.objects.filter(pk=person.pk).exists()


def test_privacy_deletion_requests_are_completed_by_one_admin_action(admin_client, person):
    stay = _past_stay()
    request = deletion_request(user=person)
    DeletionRequest.objects.filter(pk=request.pk).update(
        requested_at=timezone.now() - timedelta(days=31), due_at=timezone.now() - timedelta(days=1)
    )

    listing = admin_client.get(reverse("admin:privacy_deletionrequest_changelist") + "?state=open")
    assert "ada@example.com" in listing.content.decode()
    assert "(overdue)" in listing.content.decode()

    response = admin_client.post(
        reverse("admin:privacy_deletionrequest_changelist"),
        {"action": "complete", ACTION_CHECKBOX_NAME: [request.pk]},
        follow=True,
    )

    assert "Completed 1 request" in response.content.decode()
    assert not DeletionRequest.objects.get().is_open
    assert Registration.objects.get(pk=stay.pk).email == ""


def test_privacy_deletion_keeps_a_staff_account(person):
    person.is_staff = True
    person.save()
    request = deletion_request(user=person)

    done = deletion_complete(request_id=request.pk, actor=None)

    assert User.objects.filter(pk=person.pk).exists()
    assert "account kept" in done.outcome.lower()


def test_privacy_deletion_after_the_account_is_gone_goes_by_the_addresses_it_had(person):
    stay = _past_stay()
    other = RegistrationFactory(email="someone-else@example.com")  # no account either
    request = deletion_request(user=person)
    person.delete()  # a superuser removed the account before the request was completed

    done = deletion_complete(request_id=request.pk, actor=None)

    assert "No account" in done.outcome
    assert Registration.objects.get(pk=stay.pk).email == ""
    assert Registration.objects.get(pk=other.pk).email == "someone-else@example.com"
