"""The roster and the sign-in sheet of a facilitator's program."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registrations.models import Registration, WaitlistEntry

from ..factories import RegistrationFactory, WaitlistEntryFactory
from .helpers import portal_url

pytestmark = pytest.mark.django_db


def test_roster_shows_people_payment_answers_waitlist_and_counts(
    client, teacher, led_program, answered
):
    pending = RegistrationFactory(
        program=led_program,
        name="Grace Hopper",
        status=Registration.Status.PENDING,
        hold_expires_at=timezone.now() + timedelta(minutes=20),
        confirmed_at=None,
    )
    RegistrationFactory(program=led_program, status=Registration.Status.CANCELLED)
    WaitlistEntryFactory(program=led_program, name="Waiting Person")
    client.force_login(teacher)

    response = client.get(portal_url("roster", led_program))
    page = response.content.decode()

    assert response["Cache-Control"] == "private, no-store"
    for shown in [
        "Ada Lovelace",
        "ada@example.com",
        "+1 416 555 0100",
        "Supported",
        "Paid $300.00",
        timezone.localtime(answered.created_at).strftime("%b"),
        "Kinder self-talk",
        "Recovering from surgery",
        "Waiting Person",
    ]:
        assert shown in page, shown
    assert pending.name in page and "Awaiting payment" in page
    assert "<dt>Confirmed</dt><dd>1 of 10</dd>" in page
    assert "<dt>Awaiting payment</dt><dd>1</dd>" in page
    assert "<dt>Seats left</dt><dd>8</dd>" in page
    assert "<dt>Cancelled</dt><dd>1</dd>" in page


def test_waitlist_offers_show_on_the_roster(client, teacher, led_program):
    WaitlistEntryFactory(
        program=led_program,
        name="Offered Person",
        status=WaitlistEntry.Status.OFFERED,
        offered_at=timezone.now(),
        offer_expires_at=timezone.now() + timedelta(hours=48),
    )
    client.force_login(teacher)
    page = client.get(portal_url("roster", led_program)).content.decode()
    assert "Offered Person" in page and "offered a seat" in page


def test_sign_in_sheet_lists_confirmed_participants_for_the_chosen_session(
    client, teacher, led_program
):
    RegistrationFactory(program=led_program, name="Ada")
    RegistrationFactory(program=led_program, name="Not paid", status=Registration.Status.PENDING)
    week3 = led_program.sessions.order_by("starts_at")[2]
    client.force_login(teacher)
    page = client.get(
        portal_url("sign_in_sheet", led_program), {"session": week3.pk}
    ).content.decode()
    assert "Ada" in page and "Not paid" not in page
    assert f"{week3.title} ·" in page
