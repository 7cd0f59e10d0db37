"""What the other apps keep about a person is part of their data: the download shows
their receipts, certificates and consents to news, and a deletion request ends and
erases the consents and certificates while the receipts stay with the payments."""

import json

import pytest
from django.urls import reverse

from certificates.models import Certificate
from certificates.services import certificate_issue
from mailing.models import Consent, Subscriber
from mailing.services import ConsentGiven, consent_give
from privacy.erasure import ERASED_NAME
from privacy.services import deletion_complete, deletion_request
from receipts.models import Receipt

from ..certificates.helpers import attended, completed_program
from ..factories import UserFactory
from ..helpers import receipt_for

pytestmark = pytest.mark.django_db

EMAIL = "ada@example.com"


@pytest.fixture
def person():
    return UserFactory(email=EMAIL, name="Ada Example")


@pytest.fixture
def stay(person):
    """A finished program with a certificate, a paid receipt and a consent to news."""
    staff = UserFactory(is_staff=True)
    registration = attended(completed_program(), [0, 1, 2, 3], email=EMAIL, name="Ada Example")
    certificate_issue(registration=registration, actor=staff)
    receipt_for(registration)
    consent_give(
        given=ConsentGiven(
            email=EMAIL, source=Consent.Source.PROGRAM_PAGE, name="Ada Example", program=None
        )
    )
    return registration


def test_privacy_export_shows_receipts_certificates_and_news_consents(client, person, stay):
    client.force_login(person)
    data = json.loads(client.get(reverse("privacy:my_data_json")).content)

    [receipt] = data["receipts"]
    assert receipt["number"] == Receipt.objects.get().number
    assert receipt["total"]["cents"] == 45000
    [certificate] = data["certificates"]
    assert certificate["code"] == Certificate.objects.get().code
    [consent] = data["news_consents"]
    assert consent["wording"] and consent["given"] and consent["withdrawn"] is None
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert "Certificates of completion" in page and certificate["code"] in page


def test_privacy_deletion_ends_the_news_and_the_certificate_and_keeps_the_receipt(
    person, stay, django_capture_on_commit_callbacks
):
    request = deletion_request(user=person)
    with django_capture_on_commit_callbacks(execute=True):
        done = deletion_complete(request_id=request.pk, actor=UserFactory(is_staff=True))

    subscriber = Subscriber.objects.get()
    assert subscriber.withdrawn_at is not None and EMAIL not in subscriber.email
    consent = Consent.objects.get()
    assert (consent.email, consent.name) == ("", "")
    assert consent.withdrawn_at is not None and consent.wording  # when and what stay
    certificate = Certificate.objects.get()
    assert certificate.name == ERASED_NAME and certificate.revoked_at is not None
    assert Receipt.objects.get().total_cents == 45000  # a financial record, kept
    assert "News subscriptions ended and erased: 1." in done.outcome
    assert "Certificates revoked and erased: 1." in done.outcome
