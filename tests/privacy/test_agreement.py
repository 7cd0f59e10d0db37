"""The participant agreement (versioned, recorded on each registration) and the privacy page."""

import pytest
from django.urls import reverse

from programs.models import Agreement
from registrations.models import Registration

from ..helpers import form_data, url

pytestmark = pytest.mark.django_db


def test_privacy_agreement_is_shown_on_the_form_and_recorded_on_the_registration(
    client, program, stripe_standin
):
    agreement = Agreement.current()

    page = client.get(url(program)).content.decode()
    assert f"(version {agreement.version})" in page
    assert "not therapy" in page
    assert "I have read and accept the participant agreement above." in page

    response = client.post(url(program), form_data(program, agreement_version=agreement.version))

    assert response.status_code == 303
    registration = Registration.objects.get()
    assert registration.agreement == agreement and registration.agreed_to_policy_at is not None


def test_privacy_agreement_edited_in_the_admin_is_a_new_version(admin_client, program):
    first = Agreement.current()
    accepted = Registration.objects.create(
        program=program, name="Ada Example", email="ada@example.com", agreement=first
    )

    admin_client.post(
        reverse("admin:programs_agreement_change", args=[first.pk]),
        {"title": first.title, "text": "MSC is not therapy. New words."},
    )

    first.refresh_from_db()
    assert "New words" not in first.text  # what was accepted is never rewritten
    latest = Agreement.current()
    assert (latest.version, latest.text) == (first.version + 1, "MSC is not therapy. New words.")
    assert Registration.objects.get(pk=accepted.pk).agreement == first
    assert "New words" in admin_client.get(url(program)).content.decode()
    delete = reverse("admin:programs_agreement_delete", args=[first.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_privacy_agreement_changed_since_the_form_was_drawn_is_asked_again(client, program):
    old = Agreement.current()
    Agreement.publish(title=old.title, text="A newer text.")

    response = client.post(url(program), form_data(program, agreement_version=old.version))

    page = response.content.decode()
    assert response.status_code == 422
    assert "The participant agreement has changed" in page and "A newer text." in page
    assert not Registration.objects.exists()


def test_privacy_agreement_must_be_accepted(client, program):
    response = client.post(url(program), form_data(program, agree=None))

    assert response.status_code == 422
    assert "Please accept the participant agreement" in response.content.decode()
    assert not Registration.objects.exists()


def test_privacy_page_is_linked_from_every_footer_and_the_forms(client, program):
    notice = reverse("privacy:notice")
    page = client.get(notice).content.decode()
    assert "Who sees your health answers" in page
    assert "90 days" in page and "365 days" in page and "6 years" in page
    for address in (
        "/",
        program.get_absolute_url(),
        url(program),
        reverse("account_signup"),
    ):
        assert f'href="{notice}"' in client.get(address).content.decode(), address
    program.capacity = 1
    program.save()
    Registration.objects.create(
        program=program, name="A", email="a@example.com", status="confirmed"
    )
    waitlist = reverse("registrations:waitlist_join", args=[program.slug])
    assert client.get(waitlist).content.decode().count(f'href="{notice}"') == 2
