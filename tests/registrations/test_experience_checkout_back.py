import re

import pytest
from django.urls import reverse

from mailing.models import Consent
from programs.schedule import session_when

from ..factories import ProgramFactory
from ..helpers import form_data, url

pytestmark = pytest.mark.django_db


def come_back(client, registration):
    cancel = reverse("registrations:checkout_cancelled", args=[registration.reference])
    return client.get(cancel, {"token": registration.access_token}, follow=True).content.decode()


def ticked(page, name):
    box = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', page)
    assert box, name
    return "checked" in box.group(0)


def test_experience_back_from_a_declined_card_warns_that_nothing_was_charged(
    client, stripe_standin
):
    program = ProgramFactory()
    client.post(url(program), form_data(program, future_programs="on"))
    registration = program.registrations.get()

    page = come_back(client, registration)

    message = re.search(r'<li class="message message--(\w+)">([^<]*)</li>', page)
    assert message.group(1) == "warning"
    assert "card was declined" in message.group(2)
    assert "nothing was charged" in message.group(2)
    assert ticked(page, "agree") and ticked(page, "future_programs")


def test_experience_back_from_checkout_leaves_unticked_boxes_unticked(client, stripe_standin):
    program = ProgramFactory()
    client.post(url(program), form_data(program))
    registration = program.registrations.get()
    assert not Consent.objects.exists()

    page = come_back(client, registration)

    assert ticked(page, "agree")
    assert not ticked(page, "future_programs")


def test_experience_confirmation_page_gives_the_start_date_with_a_time(client, stripe_standin):
    program = ProgramFactory()
    client.post(url(program), form_data(program))
    registration = program.registrations.get()
    session_id = registration.payments.get().checkout_session_id
    stripe_standin.pay(session_id)

    page = client.get(
        reverse("registrations:paid", args=[registration.reference]), {"session_id": session_id}
    ).content.decode()

    first = program.sessions.order_by("starts_at").first()
    starts = re.search(r"<dt>Starts</dt><dd>([^<]+)</dd>", page).group(1)
    assert starts == session_when(first)
    assert re.search(r"\d{1,2}:\d\d.*(am|pm) ET$", starts)
