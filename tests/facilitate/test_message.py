"""Messaging a program's confirmed participants, through the outbox."""

import pytest

from outbox.models import OutboundEmail
from registrations.models import Registration

from ..factories import RegistrationFactory, WaitlistEntryFactory
from .helpers import portal_url

pytestmark = pytest.mark.django_db


def test_message_goes_to_every_confirmed_participant_through_the_outbox(
    client, teacher, led_program, mailoutbox, django_capture_on_commit_callbacks
):
    RegistrationFactory(program=led_program, email="ada@example.com")
    RegistrationFactory(program=led_program, email="bea@example.com")
    RegistrationFactory(
        program=led_program, email="pending@example.com", status=Registration.Status.PENDING
    )
    WaitlistEntryFactory(program=led_program, email="waiting@example.com")
    client.force_login(teacher)
    url = portal_url("message", led_program)

    assert "Send to 2 participants" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"subject": "Bring a blanket", "body": "Week 3 is lying down."})

    assert response.status_code == 302
    queued = OutboundEmail.objects.filter(kind="message")
    assert sorted(queued.values_list("recipient", flat=True)) == [
        "ada@example.com",
        "bea@example.com",
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["ada@example.com", "bea@example.com"]
    assert "Week 3 is lying down." in mailoutbox[0].body
    followed = client.get(response["Location"]).content.decode()
    assert "on its way to 2 participants" in followed


def test_message_form_keeps_what_was_typed_and_says_what_to_fix(client, teacher, led_program):
    client.force_login(teacher)
    response = client.post(portal_url("message", led_program), {"subject": "", "body": "Kept text"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please fix what is marked below." in page
    assert "Kept text" in page
    assert not OutboundEmail.objects.exists()
